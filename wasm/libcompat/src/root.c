/*
 * The root directory (wasm/README.md, "The root directory").
 *
 * The kernel cannot mount a filesystem at "/": the engine mounts each
 * top-level directory of a container's rootfs at /NAME, so a directory made
 * later at the top (mkdir /app) would land in the kernel's scratch space and
 * vanish with the process. The engine also mounts the container's whole tree
 * (rootfs, volumes, /proc, /run/berth) at BERTH_ROOT_MOUNT. At start, every
 * process makes that tree its "/" for wasi-libc's path lookups (a preopened
 * directory for "/", which wins over the kernel's because it comes later),
 * and keeps the directories the kernel serves itself (/bin, /dev) as
 * preopens of their own.
 *
 * The kernel still resolves the paths it is given (a program to spawn, a
 * child's cwd) in its own namespace: berth_kernel_path maps ours to its.
 *
 * Paths are resolved lexically before the lookup ("/a/../b" is "/b", and
 * "/.." is "/"), replacing wasi-libc's join of cwd and path: without it, ".."
 * at the root would step out of the tree into the kernel's namespace. The
 * mounted filesystems hold no symbolic links, so lexical ".." is the true one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc-find-relpath.h>
#include <wasi/libc.h>

#include "internal.h"

#define BERTH_ROOT_MOUNT "/run/berth/root"

/* Directories the kernel serves itself: /bin holds the userland's commands, /dev its devices. */
static const char *const kernel_served[] = {"bin", "dev"};
enum { KERNEL_SERVED = sizeof kernel_served / sizeof *kernel_served };

/*
 * Where the preopens live: far above what programs use (a shell's `exec 3>`,
 * a dup2 to 9), so that no redirection closes them.
 */
enum { ROOT_FD = 1000 };

static int rerooted;
/* The kernel namespace's own root, for asking what it holds. */
static int kernel_root_fd = -1;

/* Moves fd to number `to`; returns `to`, or -1 (fd closed). */
static int move_fd(int fd, int to)
{
    if (__wasi_fd_renumber(fd, to)) {
        close(fd);
        return -1;
    }
    return to;
}

void berth_enter_root(void)
{
    /* Whatever a parent left at these numbers is its own; they are ours now. */
    for (int i = 0; i <= KERNEL_SERVED + 1; i++)
        close(ROOT_FD + i);
    int root = open(BERTH_ROOT_MOUNT, O_RDONLY | O_DIRECTORY);
    if (root < 0)
        return; /* not a machine of the engine's: the kernel's namespace is the root */
    int kernel_root = open("/", O_RDONLY | O_DIRECTORY);
    int kept[KERNEL_SERVED];
    for (int i = 0; i < KERNEL_SERVED; i++) {
        char path[16];
        snprintf(path, sizeof path, "/%s", kernel_served[i]);
        kept[i] = open(path, O_RDONLY | O_DIRECTORY);
    }
    root = move_fd(root, ROOT_FD);
    if (root < 0)
        return;
    kernel_root_fd = kernel_root >= 0 ? move_fd(kernel_root, ROOT_FD + 1) : -1;
    if (__wasilibc_register_preopened_fd(root, "/"))
        return;
    for (int i = 0; i < KERNEL_SERVED; i++) {
        char path[16];
        snprintf(path, sizeof path, "/%s", kernel_served[i]);
        if (kept[i] >= 0 && (kept[i] = move_fd(kept[i], ROOT_FD + 2 + i)) >= 0)
            __wasilibc_register_preopened_fd(kept[i], path);
    }
    rerooted = 1;
}

/* Whether the kernel's namespace has /TOP itself (the engine mounted it, or it serves it). */
static int kernel_has(const char *path)
{
    if (kernel_root_fd < 0)
        return 1;
    const char *top = path + strspn(path, "/");
    size_t len = strcspn(top, "/");
    if (len == 0 || len >= NAME_MAX)
        return 1;
    char name[NAME_MAX + 1];
    memcpy(name, top, len);
    name[len] = 0;
    struct stat st;
    return fstatat(kernel_root_fd, name, &st, 0) == 0;
}

const char *berth_kernel_path(const char *path, char *buf, size_t size)
{
    if (!rerooted || path[0] != '/' || kernel_has(path))
        return path;
    if ((size_t)snprintf(buf, size, "%s%s", BERTH_ROOT_MOUNT, path) >= size)
        return path;
    return buf;
}

const char *berth_from_kernel_path(const char *path)
{
    size_t n = strlen(BERTH_ROOT_MOUNT);
    if (!rerooted || strncmp(path, BERTH_ROOT_MOUNT, n) != 0)
        return path;
    if (path[n] == 0)
        return "/";
    return path[n] == '/' ? path + n : path;
}

/* path made absolute and lexically normalized, a trailing slash kept; malloc'd. */
static char *normalized_path(const char *path)
{
    char *abs = berth_absolute_path(path);
    if (!abs)
        return NULL;
    size_t len = strlen(abs);
    int trailing = len > 1 && (abs[len - 1] == '/' || (abs[len - 1] == '.' && abs[len - 2] == '/'));
    char *out = abs; /* written in place: the result is never longer */
    size_t n = 0;
    for (char *part = abs; *part;) {
        while (*part == '/')
            part++;
        size_t plen = strcspn(part, "/");
        if (plen == 0)
            break;
        if (plen == 1 && part[0] == '.') {
        } else if (plen == 2 && part[0] == '.' && part[1] == '.') {
            while (n > 0 && out[--n] != '/')
                ;
        } else {
            out[n++] = '/';
            memmove(out + n, part, plen);
            n += plen;
        }
        part += plen;
    }
    if (n == 0)
        out[n++] = '/';
    else if (trailing)
        out[n++] = '/';
    out[n] = 0;
    return out;
}

/*
 * Replaces wasi-libc's own (a weak symbol in its chdir.o): every lookup of a
 * path by name comes here for its preopened directory and the path inside it.
 */
int __wasilibc_find_relpath_alloc(const char *path, const char **abs_prefix,
                                  char **relative_buf, size_t *relative_buf_len,
                                  int can_realloc)
{
    /* wasi-libc's own rule: the empty path names the cwd. */
    char *abs = normalized_path(*path ? path : ".");
    if (!abs) {
        errno = ENOMEM;
        return -1;
    }
    const char *rel;
    int fd = __wasilibc_find_abspath(abs, abs_prefix, &rel);
    if (fd == -1) {
        free(abs);
        return -1;
    }
    size_t rel_len = strlen(rel);
    if (*relative_buf_len < rel_len + 1) {
        char *grown = can_realloc ? realloc(*relative_buf, rel_len + 1) : NULL;
        if (!grown) {
            free(abs);
            errno = can_realloc ? ENOMEM : ERANGE;
            return -1;
        }
        *relative_buf = grown;
        *relative_buf_len = rel_len + 1;
    }
    strcpy(*relative_buf, rel);
    free(abs);
    return fd;
}
