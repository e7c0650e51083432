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
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#undef rmdir
#undef unlink
#undef unlinkat
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
