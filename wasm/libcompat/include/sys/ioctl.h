/*
 * wasi-libc's ioctl knows FIONREAD and FIONBIO only. libcompat adds the
 * terminal requests programs ask for, answered from WASIX tty_get
 * (terminal.c): TIOCGWINSZ (window size), TIOCSWINSZ (EPERM: the size is the
 * host's). Other requests go to wasi-libc's ioctl.
 */
#ifndef BERTH_SYS_IOCTL_H
#define BERTH_SYS_IOCTL_H
#include_next <sys/ioctl.h>

struct winsize {
    unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414

int berth_ioctl(int fd, int request, ...);
#define ioctl(...) berth_ioctl(__VA_ARGS__)
#endif
