/*
 * Process start for every guest: runs before main.
 *
 * - The WASIX kernel tracks a cwd per process (inherited by children), but
 *   wasi-libc keeps its own, starting at "/". We adopt the kernel's at start and
 *   keep both in step on chdir.
 * - Arguments escaped by a libcompat parent (see process.c) are restored, the
 *   parent's pid it passed is kept for getppid(), and the variables it
 *   removed (BERTH_ENV_UNSET) are removed again: the kernel put them back.
 * - The process hooks: start and exit are reported to the engine (below).
 * - Out of memory is a kill, as a cgroup's OOM killer's (sbrk, below).
 *
 * This object is linked into every program directly (not from the archive):
 * it replaces wasi-libc's __main_void, so programs define main(argc, argv).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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
    char cwd[PATH_MAX], kernel[PATH_MAX];
    if (getcwd(cwd, sizeof cwd))
        wasix_chdir(berth_kernel_path(cwd, kernel, sizeof kernel));
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
            chdir(berth_from_kernel_path(cwd));
    }
}

static void unescape_arg(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1] == 'n') {
            *out++ = '\n';
            s++;
        } else if (*s == '\\' && s[1] == 'r') {
            *out++ = '\r';
            s++;
        } else if (*s == '\\' && s[1] == '\\') {
            *out++ = '\\';
            s++;
        } else if (*s == '\\' && s[1] == 'e') {
            s++; /* an empty argument */
        } else {
            *out++ = *s;
        }
    }
    *out = 0;
}

/*
 * The process hooks (wasm/README.md, "libcompat: the container ABI"): one
 * line per event appended to BERTH_PROC_HOOK, if that file exists, in a
 * single write:
 *   start PID PPID ARG0 ARG1 ...\n   (with "mem PID BYTES\n" in the same write)
 *   mem PID BYTES\n                  (the memory grew: see report_memory)
 *   exit PID STATUS\n
 * Arguments are separated by one space; inside one, backslash, space, tab
 * and newline are written as octal escapes (\134 \040 \011 \012), as in
 * /proc/mounts. A line holds at most HOOK_LINE_MAX bytes: arguments that do
 * not fit are left out. Without the file, the start costs one failed open
 * and the exit nothing.
 */
enum { HOOK_LINE_MAX = 4096 };

/* Appends arg, escaped, to line (length *len); returns 0 when it does not fit. */
static int append_arg(char *line, size_t *len, const char *arg)
{
    char escaped[HOOK_LINE_MAX];
    size_t n = 0;
    for (; *arg && n + 4 < sizeof escaped; arg++) {
        if (*arg == '\\' || *arg == ' ' || *arg == '\t' || *arg == '\n')
            n += snprintf(escaped + n, 5, "\\%03o", (unsigned char)*arg);
        else
            escaped[n++] = *arg;
    }
    /* one space before, the newline after */
    if (*arg || *len + 1 + n + 1 > HOOK_LINE_MAX)
        return 0;
    line[(*len)++] = ' ';
    memcpy(line + *len, escaped, n);
    *len += n;
    return 1;
}

/* The memory size last reported: the engine's figure for `docker stats` and /proc/meminfo. */
static size_t reported_memory;

static size_t memory_bytes(void)
{
    return __builtin_wasm_memory_size(0) * PAGESIZE;
}

static int format_memory(char *line, size_t size)
{
    reported_memory = memory_bytes();
    return snprintf(line, size, "mem %d %zu\n", (int)getpid(), reported_memory);
}

/*
 * After the heap grew: reported once it is 1 MiB or an eighth past the last
 * report, so that a program growing a page at a time costs a few hook writes,
 * not one per page.
 */
static void report_memory(void)
{
    size_t step = reported_memory / 8 > (1 << 20) ? reported_memory / 8 : (1 << 20);
    if (!berth_hook_present || memory_bytes() < reported_memory + step)
        return;
    char line[48];
    int len = format_memory(line, sizeof line);
    berth_write_hook_line(line, len);
}

static void report_start(int argc, char **argv)
{
    char line[HOOK_LINE_MAX + 48];
    size_t len = snprintf(line, HOOK_LINE_MAX, "start %d %d", (int)getpid(), (int)getppid());
    for (int i = 0; i < argc && append_arg(line, &len, argv[i]); i++)
        ;
    line[len++] = '\n';
    len += format_memory(line + len, sizeof line - len);
    berth_hook_present = berth_write_hook_line(line, len);
}

/*
 * The heap's growth (wasi-libc's malloc calls sbrk). It is here, in the object
 * every program links directly, so that it replaces wasi-libc's own. When the
 * memory cannot grow (the container's --memory, set as the module's maximum,
 * or WebAssembly's 4 GiB), the process is killed as the OOM killer kills a
 * process past its cgroup's limit: the engine hears "oom PID" and the status
 * is SIGKILL's 137. Linux would have let malloc succeed and killed the process
 * when it touched the pages; a NULL from malloc would be a different program.
 */
void *sbrk(intptr_t increment)
{
    if (increment == 0)
        return (void *)(__builtin_wasm_memory_size(0) * PAGESIZE);
    if (increment < 0 || increment % PAGESIZE) {
        errno = EINVAL;
        return (void *)-1;
    }
    size_t old = __builtin_wasm_memory_grow(0, (size_t)increment / PAGESIZE);
    if (old == SIZE_MAX) {
        if (berth_hook_present) {
            char line[32];
            int len = snprintf(line, sizeof line, "oom %d\n", (int)getpid());
            berth_write_hook_line(line, len);
        }
        _Exit(128 + SIGKILL);
    }
    report_memory();
    return (void *)(old * PAGESIZE);
}

/*
 * Every way out of a process ends here (exit, _exit, return from main), so
 * this replaces wasi-libc's _Exit: it reports the exit, then leaves.
 */
_Noreturn void _Exit(int status)
{
    if (berth_hook_present) {
        char line[64];
        int len = snprintf(line, sizeof line, "exit %d %d\n", (int)getpid(), status & 0xff);
        berth_write_hook_line(line, len);
    }
    __wasi_proc_exit(status);
}

/* wasi-libc defines both in one object: replacing _Exit means replacing _exit. */
_Noreturn void _exit(int status)
{
    _Exit(status);
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

    /* First, so that a variable the parent removed is not read below (BERTH_PID, BERTH_CWD...). */
    const char *unset = getenv(BERTH_ENV_UNSET);
    if (unset) {
        char *names = strdup(unset);
        unsetenv(BERTH_ENV_UNSET);
        for (char *name = names ? strtok(names, "=") : NULL; name; name = strtok(NULL, "="))
            unsetenv(name);
        free(names);
    }
    berth_enter_root();
    adopt_kernel_cwd();
    const char *start_in = getenv(BERTH_CWD);
    if (start_in) {
        berth_chdir(start_in);
        unsetenv(BERTH_CWD);
    }
    const char *escaped = getenv(BERTH_ARGV_ESCAPED);
    if (escaped && escaped[0] == '1') {
        for (size_t i = 0; i < argc; i++)
            unescape_arg(argv[i]);
        unsetenv(BERTH_ARGV_ESCAPED);
    }
    const char *parent = getenv(BERTH_PPID);
    if (parent) {
        berth_parent_pid = atoi(parent);
        unsetenv(BERTH_PPID);
    }
    const char *not_terminal = getenv(BERTH_NOT_TERMINAL);
    if (not_terminal) {
        for (const char *c = not_terminal; *c; c++)
            if (*c >= '0' && *c <= '2')
                berth_mark_not_terminal(*c - '0', 1);
        unsetenv(BERTH_NOT_TERMINAL);
    }
    if (getenv(BERTH_STDERR_TO_TERMINAL)) {
        dup2(1, 2);
        unsetenv(BERTH_STDERR_TO_TERMINAL);
    }
    const char *own = getenv(BERTH_PID);
    berth_adopt_pid(own ? atoi(own) : 0);
    if (own)
        unsetenv(BERTH_PID);
    report_start(argc, argv);
    /* exit (not return) so that a status of 0 is reported too: crt1 calls exit only for others. */
    exit(__main_argc_argv(argc, argv));
}
