/*
 * probe's libcompat system subcommands, one call each, printing what it returned:
 *   probe uname                 every uname() field
 *   probe hostname              gethostname(), then sethostname() (EPERM)
 *   probe getpwuid UID          getpwuid(): name uid gid dir shell
 *   probe getpwnam NAME         same through getpwnam()
 *   probe getgrgid GID          getgrgid(): name gid members,
 *   probe getgrnam NAME         same through getgrnam()
 *   probe isatty                isatty() of fds 0-2 and of a pipe
 *   probe termios               tcgetattr, raw mode with tcsetattr, what tty_get then says, restore
 *   probe winsize               ioctl(TIOCGWINSZ) on stdout
 *   probe sysinfo               sysinfo() fields
 *   probe statvfs PATH          statvfs() and statfs() fields
 *   probe longjmp N             longjmp(env, N): the process exits with N
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#include "berth/wasix.h"
#include "probe.h"

static void print_passwd(const struct passwd *pw)
{
    if (pw)
        printf("%s %u %u %s %s\n", pw->pw_name, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, pw->pw_dir, pw->pw_shell);
    else
        printf("none\n");
}

static void print_group(const struct group *gr)
{
    if (!gr) {
        printf("none\n");
        return;
    }
    printf("%s %u", gr->gr_name, (unsigned)gr->gr_gid);
    for (char **m = gr->gr_mem; *m; m++)
        printf(" %s", *m);
    printf("\n");
}

static int termios_round_trip(void)
{
    struct termios saved, raw;
    if (tcgetattr(0, &saved)) {
        printf("tcgetattr errno %d\n", errno);
        return 0;
    }
    printf("echo=%d icanon=%d\n", !!(saved.c_lflag & ECHO), !!(saved.c_lflag & ICANON));
    raw = saved;
    cfmakeraw(&raw);
    int r = tcsetattr(0, TCSANOW, &raw);
    wasix_tty_t tty;
    wasix_tty_get(&tty);
    printf("raw: tcsetattr %d, tty echo=%d line=%d\n", r, tty.echo, tty.line_buffered);
    tcsetattr(0, TCSANOW, &saved);
    wasix_tty_get(&tty);
    printf("restored: tty echo=%d line=%d\n", tty.echo, tty.line_buffered);
    return 0;
}

int probe_system(const char *cmd, int argc, char **argv)
{
    if (!strcmp(cmd, "uname")) {
        struct utsname u;
        uname(&u);
        printf("%s|%s|%s|%s|%s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
    } else if (!strcmp(cmd, "hostname")) {
        char name[256];
        int r = gethostname(name, sizeof name);
        printf("%d %s\n", r, r ? "" : name);
        r = sethostname("other", 5);
        printf("sethostname %d errno %s\n", r, r ? strerror(errno) : "none");
    } else if (!strcmp(cmd, "getpwuid") && argc > 0) {
        print_passwd(getpwuid(atoi(argv[0])));
    } else if (!strcmp(cmd, "getpwnam") && argc > 0) {
        print_passwd(getpwnam(argv[0]));
    } else if (!strcmp(cmd, "getgrgid") && argc > 0) {
        print_group(getgrgid(atoi(argv[0])));
    } else if (!strcmp(cmd, "getgrnam") && argc > 0) {
        print_group(getgrnam(argv[0]));
    } else if (!strcmp(cmd, "isatty")) {
        int fds[2];
        pipe(fds);
        printf("0=%d 1=%d 2=%d pipe=%d\n", isatty(0), isatty(1), isatty(2), isatty(fds[0]));
    } else if (!strcmp(cmd, "termios")) {
        return termios_round_trip();
    } else if (!strcmp(cmd, "winsize")) {
        struct winsize ws;
        if (ioctl(1, TIOCGWINSZ, &ws))
            printf("errno %s\n", strerror(errno));
        else
            printf("cols=%u rows=%u\n", ws.ws_col, ws.ws_row);
    } else if (!strcmp(cmd, "sysinfo")) {
        struct sysinfo si;
        sysinfo(&si);
        printf("uptime=%lu load1=%.2f procs=%u totalram=%lu freeram=%lu unit=%u\n", si.uptime,
               si.loads[0] / 65536.0, si.procs, si.totalram, si.freeram, si.mem_unit);
    } else if (!strcmp(cmd, "statvfs") && argc > 0) {
        struct statvfs v;
        struct statfs f;
        if (statvfs(argv[0], &v) || statfs(argv[0], &f)) {
            printf("errno %s\n", strerror(errno));
            return 0;
        }
        printf("bsize=%lu blocks=%llu bavail=%llu | statfs blocks=%llu type=%lx\n", v.f_bsize, v.f_blocks, v.f_bavail,
               (unsigned long long)f.f_blocks, f.f_type);
    } else if (!strcmp(cmd, "longjmp") && argc > 0) {
        jmp_buf env;
        if (setjmp(env) == 0)
            longjmp(env, atoi(argv[0]));
        printf("returned from setjmp twice\n");
    } else {
        return -1;
    }
    return 0;
}
