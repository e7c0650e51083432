/*
 * Process start for every guest: runs before main.
 *
 * - The WASIX kernel tracks a cwd per process (inherited by children), but
 *   wasi-libc keeps its own, starting at "/". We adopt the kernel's at start and
 *   keep both in step on chdir.
 * - Arguments escaped by a libcompat parent (see process.c) are restored.
 *
 * This object is linked into every program directly (not from the archive):
 * it replaces wasi-libc's __main_void, so programs define main(argc, argv).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "berth/wasix.h"
#include "internal.h"

#undef chdir
int chdir(const char *path);
int __main_argc_argv(int argc, char *argv[]);

int berth_chdir(const char *path)
{
    if (chdir(path))
        return -1;
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd))
        wasix_chdir(cwd);
    return 0;
}

char *berth_absolute_path(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    size_t n = strlen(cwd);
    char *abs = malloc(n + strlen(path) + 2);
    if (!abs)
        return NULL;
    strcpy(abs, cwd);
    if (n == 0 || cwd[n - 1] != '/')
        strcat(abs, "/");
    strcat(abs, path);
    return abs;
}

static void adopt_kernel_cwd(void)
{
    char cwd[PATH_MAX];
    uint32_t len = sizeof cwd;
    if (wasix_getcwd(cwd, &len) == 0 && len > 0 && len < sizeof cwd) {
        cwd[len] = 0;
        /* The kernel may report the length with the NUL included. */
        if (cwd[0] == '/')
            chdir(cwd);
    }
}

static void unescape_arg(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1] == 'n') {
            *out++ = '\n';
            s++;
        } else if (*s == '\\' && s[1] == '\\') {
            *out++ = '\\';
            s++;
        } else {
            *out++ = *s;
        }
    }
    *out = 0;
}

/*
 * Replaces wasi-libc's __main_void (so guests must define main(argc, argv)):
 * reads the arguments, runs the libcompat start steps, then calls main.
 */
int __main_void(void)
{
    size_t argc, buf_size;
    if (__wasi_args_sizes_get(&argc, &buf_size))
        _Exit(71);
    char **argv = calloc(argc + 1, sizeof *argv);
    char *buf = malloc(buf_size ? buf_size : 1);
    if (!argv || !buf || __wasi_args_get((uint8_t **)argv, (uint8_t *)buf))
        _Exit(71);

    adopt_kernel_cwd();
    const char *escaped = getenv(BERTH_ARGV_ESCAPED);
    if (escaped && escaped[0] == '1') {
        for (size_t i = 0; i < argc; i++)
            unescape_arg(argv[i]);
        unsetenv(BERTH_ARGV_ESCAPED);
    }
    return __main_argc_argv(argc, argv);
}
