/*
 * File calls that need help on the SDK's mounted filesystems.
 *
 * Removing a directory that this process has not looked at yet fails with
 * ENOENT there: the kernel only knows entries it has resolved before (measured
 * on the host filesystem bridge, SDK 0.16.0). A stat first makes it known.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#undef rmdir
#undef unlinkat
int rmdir(const char *path);
int unlinkat(int dirfd, const char *path, int flags);

int berth_rmdir(const char *path)
{
    struct stat st;
    stat(path, &st);
    return rmdir(path);
}

int berth_unlinkat(int dirfd, const char *path, int flags)
{
    if (flags & AT_REMOVEDIR) {
        struct stat st;
        fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW);
    }
    return unlinkat(dirfd, path, flags);
}
