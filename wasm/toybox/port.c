/*
 * The rest of the system interface toybox expects, on the WASIX kernel.
 *
 * What the kernel has, we map: mounts from /proc/mounts, users through
 * libcompat (which also has the terminal, sysinfo and statvfs). What it does
 * not have — permission bits and owners, device nodes, extended attributes,
 * mounting, raw syscalls, sockets — answers as a
 * kernel without them would (EPERM, ENOTSUP, ENOSYS), except chmod and chown:
 * files here have no modes or owners to change, so those succeed when the
 * file exists, which is what scripts that `chmod +x` need (wasm/README.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <mntent.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

/* ---- /proc/mounts ---- */

FILE *setmntent(const char *file, const char *mode)
{
    return fopen(file, mode);
}

int endmntent(FILE *f)
{
    if (f)
        fclose(f);
    return 1;
}

struct mntent *getmntent(FILE *f)
{
    static struct mntent m;
    static char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *fields[6] = {0};
        int n = 0;
        for (char *tok = strtok(line, " \t\n"); tok && n < 6; tok = strtok(NULL, " \t\n"))
            fields[n++] = tok;
        if (n < 4)
            continue;
        m.mnt_fsname = fields[0];
        m.mnt_dir = fields[1];
        m.mnt_type = fields[2];
        m.mnt_opts = fields[3];
        m.mnt_freq = n > 4 ? atoi(fields[4]) : 0;
        m.mnt_passno = n > 5 ? atoi(fields[5]) : 0;
        return &m;
    }
    return NULL;
}

/* ---- users: reentrant forms over libcompat's lookups ---- */

static char *stash(char **buf, size_t *left, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > *left)
        return NULL;
    char *out = memcpy(*buf, s, n);
    *buf += n;
    *left -= n;
    return out;
}

static int copy_passwd(struct passwd *found, struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
    *result = NULL;
    if (!found)
        return 0;
    *pw = *found;
    if (!(pw->pw_name = stash(&buf, &size, found->pw_name)) || !(pw->pw_passwd = stash(&buf, &size, found->pw_passwd)) ||
        !(pw->pw_gecos = stash(&buf, &size, found->pw_gecos)) || !(pw->pw_dir = stash(&buf, &size, found->pw_dir)) ||
        !(pw->pw_shell = stash(&buf, &size, found->pw_shell)))
        return ERANGE;
    *result = pw;
    return 0;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
    return copy_passwd(getpwuid(uid), pw, buf, size, result);
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
    return copy_passwd(getpwnam(name), pw, buf, size, result);
}

static int copy_group(struct group *found, struct group *gr, char *buf, size_t size, struct group **result)
{
    *result = NULL;
    if (!found)
        return 0;
    *gr = *found;
    int members = 0;
    while (found->gr_mem[members])
        members++;
    size_t table = (members + 1) * sizeof(char *);
    if (table > size)
        return ERANGE;
    gr->gr_mem = (char **)buf;
    buf += table;
    size -= table;
    for (int i = 0; i < members; i++)
        if (!(gr->gr_mem[i] = stash(&buf, &size, found->gr_mem[i])))
            return ERANGE;
    gr->gr_mem[members] = NULL;
    if (!(gr->gr_name = stash(&buf, &size, found->gr_name)) || !(gr->gr_passwd = stash(&buf, &size, found->gr_passwd)))
        return ERANGE;
    *result = gr;
    return 0;
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **result)
{
    return copy_group(getgrgid(gid), gr, buf, size, result);
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **result)
{
    return copy_group(getgrnam(name), gr, buf, size, result);
}

struct utmpx *getutxent(void) { return NULL; }
void setutxent(void) {}
void endutxent(void) {}

/* ---- files ---- */

static int exists(const char *path, int follow)
{
    struct stat st;
    return follow ? stat(path, &st) : lstat(path, &st);
}

int chmod(const char *path, mode_t mode) { (void)mode; return exists(path, 1); }
int fchmod(int fd, mode_t mode) { (void)mode; return fcntl(fd, F_GETFD) < 0 ? -1 : 0; }
int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
    (void)mode;
    struct stat st;
    return fstatat(dirfd, path, &st, flags & AT_SYMLINK_NOFOLLOW);
}
int fchown(int fd, uid_t owner, gid_t group) { (void)owner; (void)group; return fcntl(fd, F_GETFD) < 0 ? -1 : 0; }
int lchown(const char *path, uid_t owner, gid_t group) { (void)owner; (void)group; return exists(path, 0); }
int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags)
{
    (void)owner;
    (void)group;
    struct stat st;
    return fstatat(dirfd, path, &st, flags & AT_SYMLINK_NOFOLLOW);
}

/* ---- stat and lstat ---- */

/*
 * Toybox takes stat and lstat as function pointers, past libcompat's
 * function-like macros: the link wraps both symbols (--wrap, build-step.mjs),
 * so that every call, through a pointer too, gets libcompat's modes, block
 * counts and devices (`stat -c %a`, `df`).
 */
void berth_fill_stat(struct stat *st, const char *path);
int __real_stat(const char *restrict path, struct stat *restrict st);
int __real_lstat(const char *restrict path, struct stat *restrict st);

int __wrap_stat(const char *restrict path, struct stat *restrict st)
{
    int r = __real_stat(path, st);
    if (r == 0)
        berth_fill_stat(st, path);
    return r;
}

int __wrap_lstat(const char *restrict path, struct stat *restrict st)
{
    int r = __real_lstat(path, st);
    if (r == 0)
        berth_fill_stat(st, path);
    return r;
}

int mknod(const char *path, mode_t mode, dev_t dev) { (void)path; (void)mode; (void)dev; errno = EPERM; return -1; }
int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev) { (void)dirfd; return mknod(path, mode, dev); }

/*
 * Replaces every trailing X of the template, as BSD's and bionic's do (toybox's
 * mktemp takes "tmp.XXXXXXXXXX"), with random names until make() does not
 * say EEXIST.
 */
static int make_unique(char *template_, int (*make)(const char *path))
{
    size_t len = strlen(template_), xs = 0;
    while (xs < len && template_[len - 1 - xs] == 'X')
        xs++;
    if (!xs) {
        errno = EINVAL;
        return -1;
    }
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int attempt = 0; attempt < 100; attempt++) {
        for (size_t i = len - xs; i < len; i++)
            template_[i] = letters[arc4random_uniform(sizeof letters - 1)];
        int made = make(template_);
        if (made >= 0 || errno != EEXIST)
            return made;
    }
    errno = EEXIST;
    return -1;
}

static int create_file(const char *path) { return open(path, O_RDWR | O_CREAT | O_EXCL, 0600); }
static int create_dir(const char *path) { return mkdir(path, 0700); }

int mkstemp(char *template_) { return make_unique(template_, create_file); }
char *mkdtemp(char *template_) { return make_unique(template_, create_dir) ? NULL : template_; }

int fchdir(int fd) { (void)fd; errno = ENOSYS; return -1; }

ssize_t getxattr(const char *p, const char *n, void *v, size_t s) { (void)p; (void)n; (void)v; (void)s; errno = ENOTSUP; return -1; }
ssize_t lgetxattr(const char *p, const char *n, void *v, size_t s) { return getxattr(p, n, v, s); }
ssize_t fgetxattr(int fd, const char *n, void *v, size_t s) { (void)fd; return getxattr(NULL, n, v, s); }
ssize_t flistxattr(int fd, char *l, size_t s) { (void)fd; (void)l; (void)s; errno = ENOTSUP; return -1; }
int fsetxattr(int fd, const char *n, const void *v, size_t s, int f) { (void)fd; (void)n; (void)v; (void)s; (void)f; errno = ENOTSUP; return -1; }

int inotify_init(void) { errno = ENOSYS; return -1; }
int inotify_add_watch(int fd, const char *path, uint32_t mask) { (void)fd; (void)path; (void)mask; errno = ENOSYS; return -1; }

/* Mounting belongs to the engine: inside a container, as without CAP_SYS_ADMIN. */
int mount(const char *s, const char *t, const char *type, unsigned long f, const void *d)
{
    (void)s; (void)t; (void)type; (void)f; (void)d;
    errno = EPERM;
    return -1;
}

/* ---- processes, time, signals ---- */

pid_t getsid(pid_t pid) { return pid ? pid : getpid(); }
/* No fork on WASIX: commands start children through berth_popen; what still forks reports it. */
pid_t fork(void) { errno = ENOSYS; return -1; }
pid_t vfork(void) { errno = ENOSYS; return -1; }
/*
 * Toybox's xpopen_setup() (behind xrun and xpopen: find -exec, xargs, tar's
 * compressors) on posix_spawnp instead of vfork + exec (build-step.mjs
 * sends it here). pipes as there: NULL leaves the child our stdin and stdout;
 * -1 makes a pipe and returns our end of it in its place; any other fd becomes
 * the child's stdin (pipes[0]) or stdout (pipes[1]) and stays open here.
 * Returns 0 or an errno.
 */
int berth_popen(pid_t *pid, char **argv, int *pipes)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, from[2], copy[2] = {-1, -1}, err = 0;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (pipes) {
        if ((pipes[0] == -1 && pipe(in)) || (pipes[1] == -1 && pipe(out))) {
            err = errno;
            goto out;
        }
        from[0] = pipes[0] == -1 ? in[0] : pipes[0];
        from[1] = pipes[1] == -1 ? out[1] : pipes[1];
        /* Through copies, so that the child's stdin may be our stdout and the other way round. */
        if ((copy[0] = dup(from[0])) < 0 || (copy[1] = dup(from[1])) < 0) {
            err = errno;
            goto out;
        }
        posix_spawn_file_actions_adddup2(&fa, copy[0], 0);
        posix_spawn_file_actions_adddup2(&fa, copy[1], 1);
        posix_spawn_file_actions_addclose(&fa, copy[0]);
        posix_spawn_file_actions_addclose(&fa, copy[1]);
        for (int i = 0; i < 2; i++)
            if (from[i] > 2 && (i == 0 || from[1] != from[0]))
                posix_spawn_file_actions_addclose(&fa, from[i]);
        if (in[1] >= 0)
            posix_spawn_file_actions_addclose(&fa, in[1]);
        if (out[0] >= 0)
            posix_spawn_file_actions_addclose(&fa, out[0]);
    }
    err = posix_spawnp(pid, argv[0], &fa, NULL, argv, NULL);
out:
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 2; i++)
        if (copy[i] >= 0)
            close(copy[i]);
    /* The child's ends of the pipes are its own now; ours are returned, or closed on failure. */
    if (in[0] >= 0) {
        close(in[0]);
        if (err)
            close(in[1]);
        else
            pipes[0] = in[1];
    }
    if (out[0] >= 0) {
        close(out[1]);
        if (err)
            close(out[0]);
        else
            pipes[1] = out[0];
    }
    return err;
}

long syscall(long number, ...) { (void)number; errno = ENOSYS; return -1; }
int settimeofday(const struct timeval *tv, const void *tz) { (void)tv; (void)tz; errno = EPERM; return -1; }
void tzset(void) {}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    void (*previous)(int) = SIG_DFL;
    if (act)
        previous = signal(sig, act->sa_handler);
    if (old) {
        memset(old, 0, sizeof *old);
        old->sa_handler = previous == SIG_ERR ? SIG_DFL : previous;
    }
    return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    (void)how;
    (void)set;
    if (old)
        memset(old, 0, sizeof *old);
    return 0;
}

int sigfillset(sigset_t *set)
{
    memset(set, 0xff, sizeof *set);
    return 0;
}

/* ---- no network ---- */

int h_errno;
struct hostent *gethostbyname(const char *name) { (void)name; h_errno = 1; return NULL; }
const char *hstrerror(int err) { (void)err; return "Unknown host"; }
