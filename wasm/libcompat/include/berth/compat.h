/*
 * Force-included into every guest (-include berth/compat.h): the POSIX
 * process and tty calls that Debian's WASI-only libc hides, implemented by
 * libcompat on WASIX.
 */
#ifndef BERTH_COMPAT_H
#define BERTH_COMPAT_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
int dup(int fd);
int dup2(int fd, int newfd);
pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t pid);
int setpgid(pid_t pid, pid_t pgid);
pid_t setsid(void);
pid_t tcgetpgrp(int fd);
int tcsetpgrp(int fd, pid_t pgrp);
int kill(pid_t pid, int sig);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
int execve(const char *path, char *const argv[], char *const envp[]);
mode_t umask(mode_t mask);
int sethostname(const char *name, size_t len);
char *ttyname(int fd);

/* chdir that also moves the kernel's cwd, so that children start there. */
int berth_chdir(const char *path);
#define chdir(path) berth_chdir(path)

/* stat with the permission bits this kernel does not keep (modes.c). Function-like, so `struct stat` is untouched. */
struct stat;
int berth_stat(const char *path, struct stat *st);
int berth_lstat(const char *path, struct stat *st);
int berth_fstat(int fd, struct stat *st);
int berth_fstatat(int dirfd, const char *path, struct stat *st, int flags);
#define stat(...) berth_stat(__VA_ARGS__)
#define lstat(...) berth_lstat(__VA_ARGS__)
#define fstat(...) berth_fstat(__VA_ARGS__)
#define fstatat(...) berth_fstatat(__VA_ARGS__)

/*
 * open and openat as on Linux: no access mode means O_RDONLY (0 there), and a
 * file truncated or opened for appending is written where its data ends
 * (files.c). Function-like, so that a member or pointer named open is untouched.
 */
int berth_open(const char *path, int flags, ...);
int berth_openat(int dirfd, const char *path, int flags, ...);
#define open(...) berth_open(__VA_ARGS__)
#define openat(...) berth_openat(__VA_ARGS__)

/* rmdir that works on directories the kernel has not resolved yet, unlink on files held open (files.c). */
int berth_rmdir(const char *path);
int berth_unlink(const char *path);
int berth_unlinkat(int dirfd, const char *path, int flags);
#define rmdir(path) berth_rmdir(path)
#define unlink(path) berth_unlink(path)
#define unlinkat(dirfd, path, flags) berth_unlinkat(dirfd, path, flags)

/*
 * sysconf with Linux's answers where wasi-libc's differ (system.c): a command
 * line may be as long as on Linux with an 8 MiB stack (xargs sizes its
 * commands by it; wasi-libc's 128 KiB refused a 128 KiB argument).
 */
long berth_sysconf(int name);
#define sysconf(name) berth_sysconf(name)

#ifdef __cplusplus
}
#endif

#endif
