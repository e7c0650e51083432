/*
 * What toybox needs beyond libcompat, force-included into its build: the
 * parts of POSIX signals, sockets and file locks that WASI lacks. They are
 * implemented in port.c, mostly as "not supported here" (ENOSYS).
 */
#ifndef BERTH_TOYBOX_PORT_H
#define BERTH_TOYBOX_PORT_H
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef SA_RESTART
struct sigaction {
    void (*sa_handler)(int);
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_sigaction)(int, void *, void *);
};
#define SA_RESTART 0x10000000
#define SA_SIGINFO 4
#define SA_NOCLDSTOP 1
#define SA_RESETHAND 0x80000000
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
#endif

#ifndef TIOCNOTTY
#define TIOCNOTTY 0x5422
#endif
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#include <fcntl.h>
#ifndef F_WRLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#ifndef F_SETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif

int socket(int domain, int type, int protocol);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen);

#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **result);
int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result);
int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **result);
int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **result);
void vsyslog(int priority, const char *format, va_list ap);
int fchown(int fd, uid_t owner, gid_t group);
int chown(const char *path, uid_t owner, gid_t group);
int lchown(const char *path, uid_t owner, gid_t group);
int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags);
int fchmod(int fd, mode_t mode);
int chmod(const char *path, mode_t mode);
int fchmodat(int dirfd, const char *path, mode_t mode, int flags);
int mknod(const char *path, mode_t mode, dev_t dev);
int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev);
int mkfifo(const char *path, mode_t mode);
int chroot(const char *path);
int setuid(uid_t uid);
int setgid(gid_t gid);
int seteuid(uid_t uid);
int setegid(gid_t gid);
int setgroups(size_t size, const gid_t *list);
int initgroups(const char *user, gid_t group);
pid_t fork(void);
pid_t vfork(void);
/* Starts argv as toybox's xpopen_setup() would, with posix_spawnp (port.c). */
int berth_popen(pid_t *pid, char **argv, int *pipes);
int nice(int inc);
int getpriority(int which, int who);
int setpriority(int which, int who, int prio);

#include <errno.h>
#include <sys/time.h>
void tzset(void);
int fchdir(int fd);
pid_t getsid(pid_t pid);
int settimeofday(const struct timeval *tv, const void *tz);
int mkstemp(char *template_);
char *mkdtemp(char *template_);
extern int h_errno;
const char *hstrerror(int err);
#ifndef ENOTBLK
#define ENOTBLK 15
#endif
#ifndef ENODATA
#define ENODATA 61
#endif
#define PER_LINUX32 0x0008
#define BLKROSET 0x125d

/* Raw Linux system calls do not exist here: syscall() fails with ENOSYS. */
long syscall(long number, ...);
#define __NR_sched_getaffinity 204
#define __NR_sched_setaffinity 203

/*
 * Toybox takes stat and lstat as function pointers, which libcompat's
 * function-like macros cannot stand in for: those two stay the raw symbols,
 * which the link wraps instead (port.c).
 */
#undef stat
#undef lstat
#endif
