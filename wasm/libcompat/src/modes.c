/*
 * Permission bits for files on this kernel: its filesystems keep none (the
 * host filesystem bridge carries only a kind and a size), so stat reports
 * mode 0. As a filesystem without permissions mounted on Linux shows fixed
 * modes, we show directories as 0755, programs (WebAssembly or #!) as 0755
 * and other files as 0644 — so `ls -l` and `test -x` read sensibly.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#undef stat
#undef lstat
#undef fstat
#undef fstatat
int stat(const char *restrict path, struct stat *restrict st);
int lstat(const char *restrict path, struct stat *restrict st);
int fstat(int fd, struct stat *st);
int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags);

static int is_program(int fd)
{
    unsigned char magic[4] = {0};
    ssize_t n = pread(fd, magic, sizeof magic, 0);
    return (n >= 2 && magic[0] == '#' && magic[1] == '!') || (n == 4 && !memcmp(magic, "\0asm", 4));
}

static void fill_mode(struct stat *st, int dirfd, const char *path, int fd)
{
    if (st->st_mode & 07777)
        return;
    if (S_ISDIR(st->st_mode)) {
        st->st_mode |= 0755;
    } else if (S_ISREG(st->st_mode)) {
        int own = fd < 0;
        if (own)
            fd = openat(dirfd, path, O_RDONLY);
        st->st_mode |= fd >= 0 && is_program(fd) ? 0755 : 0644;
        if (own && fd >= 0)
            close(fd);
    } else {
        st->st_mode |= 0644;
    }
}

int berth_stat(const char *restrict path, struct stat *restrict st)
{
    int r = stat(path, st);
    if (r == 0)
        fill_mode(st, AT_FDCWD, path, -1);
    return r;
}

int berth_lstat(const char *restrict path, struct stat *restrict st)
{
    int r = lstat(path, st);
    if (r == 0)
        fill_mode(st, AT_FDCWD, path, -1);
    return r;
}

int berth_fstat(int fd, struct stat *st)
{
    int r = fstat(fd, st);
    if (r == 0)
        fill_mode(st, AT_FDCWD, NULL, fd);
    return r;
}

int berth_fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
    int r = fstatat(dirfd, path, st, flags);
    if (r == 0)
        fill_mode(st, dirfd, path, -1);
    return r;
}
