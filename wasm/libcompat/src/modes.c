/*
 * Permission bits, block counts and devices for files on this kernel: its
 * filesystems keep no modes (the host filesystem bridge carries only a kind
 * and a size), so stat reports mode 0, and WASI's filestat has no block count
 * and device 0. As a filesystem without permissions mounted on Linux shows
 * fixed modes, we show directories as 0755, programs (WebAssembly or #!) as
 * 0755 and other files as 0644 — so `ls -l` and `test -x` read sensibly —
 * count space as a Linux filesystem with 4 KiB blocks does (a directory takes
 * one block, as on ext4), so `du` adds up, and give each mount of
 * /proc/mounts a device of its own, so `df` can tell them apart.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

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

/* Mount points, as /proc/mounts lists them (read once per process), for st_dev. */
#define MAX_MOUNTS 64
static char *mount_points[MAX_MOUNTS];
static int mount_count = -1;

static void read_mounts(void)
{
    mount_count = 0;
    FILE *f = fopen("/proc/mounts", "r");
    if (!f)
        return;
    char line[1024];
    while (mount_count < MAX_MOUNTS && fgets(line, sizeof line, f)) {
        char *target = strchr(line, ' ');
        if (!target)
            continue;
        target++;
        char *end = strchr(target, ' ');
        if (end)
            *end = 0;
        char *copy = strdup(target);
        if (copy)
            mount_points[mount_count++] = copy;
    }
    fclose(f);
}

/* The device of the mount a path is on: the last (an overmount) of the longest matching mount points. */
static dev_t device_of(const char *absolute)
{
    if (mount_count < 0)
        read_mounts();
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < mount_count; i++) {
        const char *point = mount_points[i];
        size_t len = strcmp(point, "/") ? strlen(point) : 0;
        if (strncmp(absolute, point, len) || (absolute[len] && absolute[len] != '/'))
            continue;
        if (best < 0 || len >= best_len) {
            best = i;
            best_len = len;
        }
    }
    /* anonymous devices, as overlay, tmpfs and proc have on Linux (major 0, minor 32 and up) */
    return (dev_t)(32 + (best < 0 ? 0 : best));
}

static void fill_device(struct stat *st, int dirfd, const char *path)
{
    if (st->st_dev)
        return;
    char *absolute = path && (dirfd == AT_FDCWD || path[0] == '/') ? berth_absolute_path(path) : NULL;
    /* a descriptor's own path is unknown here: the root's device */
    st->st_dev = device_of(absolute ? absolute : "/");
    free(absolute);
}

static void fill_stat(struct stat *st, int dirfd, const char *path, int fd)
{
    fill_blocks(st);
    fill_device(st, dirfd, path);
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

/*
 * The same figures for a program that reaches stat past the macros (toybox
 * takes stat and lstat as function pointers; its link wraps the symbols and
 * calls this): fills what the kernel left out, for a path.
 */
void berth_fill_stat(struct stat *st, const char *path)
{
    fill_stat(st, AT_FDCWD, path, -1);
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
