/*
 * File calls that need help on the SDK's mounted filesystems.
 *
 * Removing a directory that this process has not looked at yet fails with
 * ENOENT there: the kernel only knows entries it has resolved before (measured
 * on the host filesystem bridge, SDK 0.16.0). A stat first makes it known.
 *
 * Unlinking a file that this process holds open only drops the kernel's
 * cached entry: its path_unlink_file hands the removal to the open handle,
 * which does not remove the file there, and returns success (measured, SDK
 * 0.16.0; gzip left every input beside its .gz). The name then resolves
 * afresh, to an entry without a handle, and a second unlink removes it.
 *
 * The kernel keeps a file's size per process and writes an O_APPEND file at
 * that size, which neither an O_TRUNC open nor another process's writes
 * update: `echo abc > f; echo x > f; echo y >> f` wrote y after three NUL
 * bytes (measured, SDK 0.16.0). Setting the size through the descriptor
 * updates it: to 0 after O_TRUNC, and to the file's real end (as lseek finds
 * it) after O_APPEND. A write by another process between the lseek and the
 * ftruncate would be cut; its window is those two calls.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#undef open
#undef openat
#undef rmdir
#undef unlink
#undef unlinkat
int open(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
int rmdir(const char *path);
int unlink(const char *path);
int unlinkat(int dirfd, const char *path, int flags);

int berth_rmdir(const char *path)
{
    struct stat st;
    stat(path, &st);
    return rmdir(path);
}

int berth_unlinkat(int dirfd, const char *path, int flags)
{
    struct stat st;
    if (flags & AT_REMOVEDIR) {
        fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW);
        return unlinkat(dirfd, path, flags);
    }
    if (unlinkat(dirfd, path, flags))
        return -1;
    if (!fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW))
        unlinkat(dirfd, path, flags);
    return 0;
}

int berth_unlink(const char *path)
{
    return berth_unlinkat(AT_FDCWD, path, 0);
}

/* open as on Linux, its mode (for O_CREAT) already taken from the arguments. */
static int open_as_on_linux(int dirfd, const char *path, int flags, mode_t mode)
{
    /* Programs open with flags like O_CLOEXEC alone, counting on O_RDONLY being 0; WASI wants a mode. */
    if (!(flags & O_ACCMODE))
        flags |= O_RDONLY;
    int fd = openat(dirfd, path, flags, mode);
    if (fd >= 0 && (flags & (O_TRUNC | O_APPEND)) && (flags & O_ACCMODE) != O_RDONLY) {
        off_t end = flags & O_TRUNC ? 0 : lseek(fd, 0, SEEK_END);
        if (end >= 0)
            ftruncate(fd, end);
    }
    return fd;
}

int berth_openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = flags & O_CREAT ? va_arg(ap, int) : 0;
    va_end(ap);
    return open_as_on_linux(dirfd, path, flags, mode);
}

int berth_open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = flags & O_CREAT ? va_arg(ap, int) : 0;
    va_end(ap);
    return open_as_on_linux(AT_FDCWD, path, flags, mode);
}
