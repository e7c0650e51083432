/*
 * Permission bits and block counts for files on this kernel: its filesystems
 * keep no modes (the host filesystem bridge carries only a kind and a size),
 * so stat reports mode 0, and WASI's filestat has no block count. As a
 * filesystem without permissions mounted on Linux shows fixed modes, we show
 * directories as 0755, programs (WebAssembly or #!) as 0755 and other files as
 * 0644 — so `ls -l` and `test -x` read sensibly — and count space as a Linux
 * filesystem with 4 KiB blocks does (a directory takes one block, as on ext4),
 * so `du` adds up.
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

#define BLOCK_SIZE 4096

static void fill_blocks(struct stat *st)
{
    if (S_ISDIR(st->st_mode) && st->st_size == 0)
        st->st_size = BLOCK_SIZE;
    st->st_blksize = BLOCK_SIZE;
    if (st->st_blocks == 0)
        st->st_blocks = (st->st_size + BLOCK_SIZE - 1) / BLOCK_SIZE * (BLOCK_SIZE / 512);
}

static void fill_stat(struct stat *st, int dirfd, const char *path, int fd)
{
    fill_blocks(st);
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
        fill_stat(st, AT_FDCWD, path, -1);
    return r;
}

int berth_lstat(const char *restrict path, struct stat *restrict st)
{
    int r = lstat(path, st);
    if (r == 0)
        fill_stat(st, AT_FDCWD, path, -1);
    return r;
}

int berth_fstat(int fd, struct stat *st)
{
    int r = fstat(fd, st);
    if (r == 0)
        fill_stat(st, AT_FDCWD, NULL, fd);
    return r;
}

int berth_fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
    int r = fstatat(dirfd, path, st, flags);
    if (r == 0)
        fill_stat(st, dirfd, path, -1);
    return r;
}
