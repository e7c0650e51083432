/*
 * What a program asks about its system, answered from the machine's /proc as
 * on Linux: uname() and gethostname() from /proc/sys/kernel (the kernel's
 * identity is shared by every container; the hostname is each container's
 * own), isatty() from the WASIX terminal state, umask() kept per process
 * (WASI has none).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <wasi/api.h>

#include "berth/wasix.h"

/* The first line of a small file, without its newline; fallback when absent. */
static void read_line(const char *path, char *buf, size_t size, const char *fallback)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0) {
        strncpy(buf, fallback, size - 1);
        buf[size - 1] = 0;
        return;
    }
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
}

int uname(struct utsname *u)
{
    read_line("/proc/sys/kernel/ostype", u->sysname, sizeof u->sysname, "Linux");
    read_line("/proc/sys/kernel/hostname", u->nodename, sizeof u->nodename, "localhost");
    read_line("/proc/sys/kernel/osrelease", u->release, sizeof u->release, "unknown");
    read_line("/proc/sys/kernel/version", u->version, sizeof u->version, "unknown");
    strcpy(u->machine, "wasm32");
#ifdef _GNU_SOURCE
    strcpy(u->domainname, "(none)");
#endif
    return 0;
}

int gethostname(char *name, size_t len)
{
    char host[256];
    read_line("/proc/sys/kernel/hostname", host, sizeof host, "");
    if (!host[0])
        read_line("/etc/hostname", host, sizeof host, "localhost");
    if (strlen(host) + 1 > len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(name, host);
    return 0;
}

int sethostname(const char *name, size_t len)
{
    (void)name;
    (void)len;
    errno = EPERM;
    return -1;
}

/* Linux's ARG_MAX with the default 8 MiB stack (a quarter of it); the kernel passes such command lines whole. */
#define LINUX_ARG_MAX (2 * 1024 * 1024)

#undef sysconf
long sysconf(int name);

long berth_sysconf(int name)
{
    return name == _SC_ARG_MAX ? LINUX_ARG_MAX : sysconf(name);
}

/*
 * The kernel reports every standard stream as a character device and as a
 * tty, terminal or not (measured, SDK 0.16.0). What tells them apart: a
 * process given a terminal starts with echo and line buffering on, one given
 * pipes with both off; and descriptors the guest made itself (pipes: type
 * unknown, files: regular) are not character devices. Once a terminal has
 * been seen it is remembered, so that a program that switched to raw mode
 * (echo and line buffering off) still finds its terminal to switch back.
 */
static int terminal_seen;

/* Pipes we made, standard streams a parent gave as a pipe or a file (BERTH_NOT_TERMINAL), and copies of them. */
#define MARKED_FDS 256
static unsigned char not_terminal[MARKED_FDS];

void berth_mark_not_terminal(int fd, int yes)
{
    if (fd >= 0 && fd < MARKED_FDS)
        not_terminal[fd] = yes != 0;
}

int berth_not_terminal(int fd)
{
    __wasi_fdstat_t st;
    if (fd >= 0 && fd < MARKED_FDS && not_terminal[fd])
        return 1;
    /*
     * Above 2: a copy of a terminal stream says "regular file" but cannot seek;
     * a file can, and a directory says what it is (pipes are marked).
     */
    return fd > 2 && __wasi_fd_fdstat_get(fd, &st) == 0 &&
           ((st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE && (st.fs_rights_base & __WASI_RIGHTS_FD_SEEK)) ||
            st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
}

#undef isatty
int isatty(int fd)
{
    __wasi_fdstat_t st;
    wasix_tty_t tty;
    int yes = !berth_not_terminal(fd) && __wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE &&
              (terminal_seen || (wasix_tty_get(&tty) == 0 && (tty.echo || tty.line_buffered)));
    if (yes)
        terminal_seen = 1;
    else
        errno = ENOTTY;
    return yes;
}

static mode_t current_umask = 022;

mode_t umask(mode_t mask)
{
    mode_t old = current_umask;
    current_umask = mask & 0777;
    return old;
}
