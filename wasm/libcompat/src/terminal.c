/*
 * Terminals on WASIX: one terminal state per process (tty_get/tty_set), with
 * echo, line buffering and the window size. termios maps ECHO and ICANON onto
 * it, so programs can switch to raw mode and back; the rest of a termios
 * reads as a Linux terminal's defaults and is accepted without effect.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <setjmp.h>
#include <termios.h>
#include <unistd.h>

#include "berth/wasix.h"
#include "internal.h"

/*
 * The kernel has no /dev/pts and gives a process one terminal, reached only
 * through its standard fds: /dev/tty is the one name /dev has for it, though
 * opening it does not reach the terminal (wasm/README.md, Terminals).
 */
char *ttyname(int fd)
{
    static char name[] = "/dev/tty";
    return isatty(fd) ? name : NULL;
}

int tcgetattr(int fd, struct termios *t)
{
    wasix_tty_t tty;
    if (!isatty(fd) || wasix_tty_get(&tty)) {
        errno = ENOTTY;
        return -1;
    }
    memset(t, 0, sizeof *t);
    t->c_iflag = ICRNL | IXON;
    t->c_oflag = OPOST | ONLCR;
    t->c_cflag = CS8 | CREAD;
    t->c_lflag = ISIG | IEXTEN | (tty.echo ? ECHO | ECHOE | ECHOK : 0) | (tty.line_buffered ? ICANON : 0);
    t->c_cc[VINTR] = 3;
    t->c_cc[VQUIT] = 28;
    t->c_cc[VERASE] = 127;
    t->c_cc[VKILL] = 21;
    t->c_cc[VEOF] = 4;
    t->c_cc[VMIN] = 1;
    t->__c_ispeed = t->__c_ospeed = B38400;
    return 0;
}

int tcsetattr(int fd, int action, const struct termios *t)
{
    (void)action;
    wasix_tty_t tty;
    if (!isatty(fd) || wasix_tty_get(&tty)) {
        errno = ENOTTY;
        return -1;
    }
    tty.echo = (t->c_lflag & ECHO) != 0;
    tty.line_buffered = (t->c_lflag & ICANON) != 0;
    if (wasix_tty_set(&tty)) {
        errno = EIO;
        return -1;
    }
    berth_terminal_raw(!tty.line_buffered);
    return 0;
}

void cfmakeraw(struct termios *t)
{
    t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t->c_oflag &= ~OPOST;
    t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t->c_cflag = (t->c_cflag & ~(CSIZE | PARENB)) | CS8;
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}

speed_t cfgetispeed(const struct termios *t)
{
    return t->__c_ispeed;
}

speed_t cfgetospeed(const struct termios *t)
{
    return t->__c_ospeed;
}

int cfsetispeed(struct termios *t, speed_t speed)
{
    t->__c_ispeed = speed;
    return 0;
}

int cfsetospeed(struct termios *t, speed_t speed)
{
    t->__c_ospeed = speed;
    return 0;
}

int cfsetspeed(struct termios *t, speed_t speed)
{
    t->__c_ispeed = t->__c_ospeed = speed;
    return 0;
}

/* The kernel keeps no input queue we could flush or output we could wait for. */
int tcflush(int fd, int queue)
{
    (void)queue;
    return isatty(fd) ? 0 : (errno = ENOTTY, -1);
}

int tcdrain(int fd)
{
    return isatty(fd) ? 0 : (errno = ENOTTY, -1);
}

int tcsendbreak(int fd, int duration)
{
    (void)duration;
    return isatty(fd) ? 0 : (errno = ENOTTY, -1);
}

pid_t tcgetsid(int fd)
{
    return isatty(fd) ? getpid() : (errno = ENOTTY, -1);
}

#undef ioctl
int berth_ioctl(int fd, int request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (request == TIOCGWINSZ || request == TIOCSWINSZ) {
        wasix_tty_t tty;
        if (!isatty(fd) || wasix_tty_get(&tty)) {
            errno = ENOTTY;
            return -1;
        }
        if (request == TIOCSWINSZ) {
            errno = EPERM;
            return -1;
        }
        struct winsize *ws = arg;
        memset(ws, 0, sizeof *ws);
        ws->ws_col = tty.cols;
        ws->ws_row = tty.rows;
        return 0;
    }
    return ioctl(fd, request, arg);
}

/* See setjmp.h: without SjLj in clang 14, a long jump can only end the process. */
_Noreturn void longjmp(jmp_buf env, int value)
{
    (void)env;
    exit(value ? value : 1);
}

_Noreturn void siglongjmp(sigjmp_buf env, int value)
{
    longjmp(env, value);
}
