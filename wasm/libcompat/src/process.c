/*
 * Processes on WASIX without fork: posix_spawn on proc_spawn2, waitpid on
 * proc_join, pipes, dup2, kill, process ids, nanosleep.
 *
 * Arguments cross proc_spawn2 as one newline-separated string, so an argument
 * that itself holds a newline, a carriage return (the kernel splits at both) or
 * a backslash would be split or mangled. When any argument needs it, the
 * parent escapes all of them (\n -> "\\n", \r -> "\\r", \ -> "\\\\") and
 * sets BERTH_ARGV_ESCAPED=1 in the child's environment; libcompat's start
 * code in the child undoes it (see start.c).
 *
 * The kernel gives a child its parent's start environment with the given
 * variables set over it, and never removes one (SDK 0.16.0): `env -i` and
 * `unset` did not reach children. The names of our start environment that the
 * child's lacks go along in BERTH_ENV_UNSET, and the child removes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "berth/compat.h"
#include "berth/wasix.h"
#include "internal.h"

static int forget_killed(pid_t pid);

enum { ACTION_CLOSE, ACTION_DUP2, ACTION_OPEN, ACTION_CHDIR };

struct berth_spawn_action {
    int kind;
    int fd;
    int src_fd;
    char *path;
    int oflag;
    mode_t mode;
};

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
    fa->actions = NULL;
    fa->count = 0;
    fa->capacity = 0;
    return 0;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
    for (int i = 0; i < fa->count; i++)
        free(fa->actions[i].path);
    free(fa->actions);
    fa->actions = NULL;
    fa->count = fa->capacity = 0;
    return 0;
}

static struct berth_spawn_action *add_action(posix_spawn_file_actions_t *fa, int kind)
{
    if (fa->count == fa->capacity) {
        int capacity = fa->capacity ? fa->capacity * 2 : 8;
        void *grown = realloc(fa->actions, capacity * sizeof *fa->actions);
        if (!grown)
            return NULL;
        fa->actions = grown;
        fa->capacity = capacity;
    }
    struct berth_spawn_action *a = &fa->actions[fa->count++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    return a;
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
    struct berth_spawn_action *a = add_action(fa, ACTION_CLOSE);
    if (!a)
        return ENOMEM;
    a->fd = fd;
    return 0;
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
    struct berth_spawn_action *a = add_action(fa, ACTION_DUP2);
    if (!a)
        return ENOMEM;
    a->src_fd = fd;
    a->fd = newfd;
    return 0;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
                                     const char *path, int oflag, mode_t mode)
{
    struct berth_spawn_action *a = add_action(fa, ACTION_OPEN);
    if (!a || !(a->path = strdup(path)))
        return ENOMEM;
    a->fd = fd;
    a->oflag = oflag;
    a->mode = mode;
    return 0;
}

int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa, const char *path)
{
    struct berth_spawn_action *a = add_action(fa, ACTION_CHDIR);
    char *abs;
    if (!a || !(abs = berth_absolute_path(path)))
        return ENOMEM;
    /* The kernel performs it: in its namespace's words. */
    char kernel[PATH_MAX];
    const char *named = berth_kernel_path(abs, kernel, sizeof kernel);
    if (named != abs) {
        free(abs);
        abs = strdup(named);
    }
    return (a->path = abs) ? 0 : ENOMEM;
}

int posix_spawnattr_init(posix_spawnattr_t *attr)
{
    attr->flags = 0;
    attr->pgroup = 0;
    return 0;
}

int posix_spawnattr_destroy(posix_spawnattr_t *attr)
{
    (void)attr;
    return 0;
}

int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)
{
    attr->flags = flags;
    return 0;
}

int posix_spawnattr_setpgroup(posix_spawnattr_t *attr, pid_t pgroup)
{
    attr->pgroup = pgroup;
    return 0;
}

/* A growable byte buffer for the newline-joined argument and env strings. */
struct joined {
    char *data;
    size_t len;
    size_t cap;
};

static int joined_put(struct joined *j, const char *s, size_t n)
{
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (cap < j->len + n + 1)
            cap *= 2;
        char *grown = realloc(j->data, cap);
        if (!grown)
            return -1;
        j->data = grown;
        j->cap = cap;
    }
    memcpy(j->data + j->len, s, n);
    j->len += n;
    j->data[j->len] = 0;
    return 0;
}

/* The kernel splits arguments at newlines and carriage returns and drops empty ones: those need escaping. */
static int needs_escape(char *const argv[])
{
    for (int i = 0; argv[i]; i++)
        if (!argv[i][0] || strpbrk(argv[i], "\n\r\\"))
            return 1;
    return 0;
}

static int join_args(struct joined *j, char *const argv[], int escape)
{
    for (int i = 0; argv[i]; i++) {
        if (i && joined_put(j, "\n", 1))
            return -1;
        /* an empty argument travels as "\e", which the child reads back as nothing */
        if (escape && !argv[i][0] && joined_put(j, "\\e", 2))
            return -1;
        for (const char *p = argv[i]; *p; p++) {
            int r;
            if (escape && *p == '\n')
                r = joined_put(j, "\\n", 2);
            else if (escape && *p == '\r')
                r = joined_put(j, "\\r", 2);
            else if (escape && *p == '\\')
                r = joined_put(j, "\\\\", 2);
            else
                r = joined_put(j, p, 1);
            if (r)
                return -1;
        }
    }
    return joined_put(j, "", 0);
}

/* Whether the newline-separated variables in j set the variable name (of len bytes). */
static int joined_sets(const struct joined *j, const char *name, size_t len)
{
    for (const char *line = j->data; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
        if (!strncmp(line, name, len) && line[len] == '=')
            return 1;
    return 0;
}

/* Appends BERTH_ENV_UNSET for the variables of our start environment (the kernel's copy) that j lacks. */
static int join_unset(struct joined *j)
{
    static char **start_env;
    static size_t start_count;
    if (!start_env) {
        size_t count, size;
        char **vars = NULL, *buf = NULL;
        if (__wasi_environ_sizes_get(&count, &size) || !(vars = calloc(count + 1, sizeof *vars)) ||
            !(buf = malloc(size ? size : 1)) || __wasi_environ_get((uint8_t **)vars, (uint8_t *)buf)) {
            free(vars);
            free(buf);
            return -1;
        }
        start_env = vars;
        start_count = count;
    }
    struct joined unset = {0};
    int err = 0;
    for (size_t i = 0; i < start_count && !err; i++) {
        const char *eq = strchr(start_env[i], '=');
        size_t len = eq ? (size_t)(eq - start_env[i]) : strlen(start_env[i]);
        if (!joined_sets(j, start_env[i], len))
            err = joined_put(&unset, unset.len ? "=" : "\n" BERTH_ENV_UNSET "=", unset.len ? 1 : sizeof BERTH_ENV_UNSET + 1) ||
                  joined_put(&unset, start_env[i], len);
    }
    if (!err && unset.len)
        err = joined_put(j, unset.data, unset.len);
    free(unset.data);
    return err ? -1 : joined_put(j, "", 0);
}

static int join_env(struct joined *j, char *const envp[], int escaped_args, pid_t child, pid_t parent_pid, const char *not_terminal)
{
    int first = 1;
    for (int i = 0; envp && envp[i]; i++) {
        /* A newline or carriage return inside a value cannot cross proc_spawn2; drop it rather than split. */
        if (strpbrk(envp[i], "\n\r") || !strncmp(envp[i], BERTH_ARGV_ESCAPED "=", sizeof BERTH_ARGV_ESCAPED) ||
            !strncmp(envp[i], BERTH_PPID "=", sizeof BERTH_PPID) ||
            !strncmp(envp[i], BERTH_PID "=", sizeof BERTH_PID) ||
            !strncmp(envp[i], BERTH_NOT_TERMINAL "=", sizeof BERTH_NOT_TERMINAL) ||
            !strncmp(envp[i], BERTH_ENV_UNSET "=", sizeof BERTH_ENV_UNSET))
            continue;
        if ((!first && joined_put(j, "\n", 1)) || joined_put(j, envp[i], strlen(envp[i])))
            return -1;
        first = 0;
    }
    if (escaped_args) {
        if ((!first && joined_put(j, "\n", 1)) || joined_put(j, BERTH_ARGV_ESCAPED "=1", sizeof BERTH_ARGV_ESCAPED + 1))
            return -1;
        first = 0;
    }
    char parent[32];
    int n = snprintf(parent, sizeof parent, BERTH_PPID "=%d", (int)parent_pid);
    if ((!first && joined_put(j, "\n", 1)) || joined_put(j, parent, n))
        return -1;
    if (child) {
        char own[32];
        n = snprintf(own, sizeof own, "\n" BERTH_PID "=%d", (int)child);
        if (joined_put(j, own, n))
            return -1;
    }
    if (*not_terminal) {
        char streams[32];
        n = snprintf(streams, sizeof streams, "\n" BERTH_NOT_TERMINAL "=%s", not_terminal);
        if (joined_put(j, streams, n))
            return -1;
    }
    return join_unset(j);
}

/* Which of the child's standard streams will be a pipe or a file, as digits ("12"), after the file actions. */
static void child_not_terminal(const posix_spawn_file_actions_t *fa, char out[4])
{
    int state[3];
    for (int k = 0; k < 3; k++)
        state[k] = berth_not_terminal(k);
    for (int i = 0; fa && i < fa->count; i++) {
        const struct berth_spawn_action *a = &fa->actions[i];
        if (a->fd < 0 || a->fd > 2)
            continue;
        if (a->kind == ACTION_DUP2)
            state[a->fd] = a->src_fd >= 0 && a->src_fd < 3 ? state[a->src_fd] : berth_not_terminal(a->src_fd);
        else if (a->kind == ACTION_OPEN)
            state[a->fd] = strcmp(a->path, "/dev/tty") != 0;
        else if (a->kind == ACTION_CLOSE)
            state[a->fd] = 0;
    }
    int n = 0;
    for (int k = 0; k < 3; k++)
        if (state[k])
            out[n++] = (char)('0' + k);
    out[n] = 0;
}

/*
 * What the kernel would find for this name: 0, ENOENT, EACCES (a directory) or
 * ENOEXEC (neither WebAssembly nor a #! script, or WebAssembly built for
 * another kernel's ABI: abi.c). Checked here because after a
 * failed proc_spawn2 the SDK's next spawn can hang (DESIGN.md): we only ever
 * ask the kernel to start a file that exists and can run.
 */
static int check_program(const char *file)
{
    struct stat st;
    if (stat(file, &st))
        return errno == ENOTDIR ? ENOENT : errno;
    if (S_ISDIR(st.st_mode))
        return EACCES;
    int fd = open(file, O_RDONLY);
    if (fd < 0)
        return errno;
    unsigned char magic[4] = {0};
    ssize_t n = read(fd, magic, sizeof magic);
    int runs = (n >= 2 && magic[0] == '#' && magic[1] == '!') ||
               (n == 4 && !memcmp(magic, "\0asm", 4) && berth_module_abi_ok(fd));
    close(fd);
    return runs ? 0 : ENOEXEC;
}

/* name -> absolute path of the program to start, searching PATH if asked. */
static int resolve_program(const char *name, int search, char *out, size_t size)
{
    if (!*name)
        return ENOENT;
    if (!search || strchr(name, '/')) {
        /* The kernel resolves relative names against its own cwd: make them absolute. */
        char *abs = berth_absolute_path(name);
        if (!abs)
            return ENOMEM;
        int fits = strlen(abs) < size;
        if (fits)
            strcpy(out, abs);
        free(abs);
        return fits ? check_program(out) : ENAMETOOLONG;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int found_err = ENOENT;
    for (const char *dir = path;; ) {
        const char *end = strchr(dir, ':');
        size_t len = end ? (size_t)(end - dir) : strlen(dir);
        int n = len ? snprintf(out, size, "%.*s/%s", (int)len, dir, name)
                    : snprintf(out, size, "%s", name);
        if (n > 0 && (size_t)n < size) {
            int err = check_program(out);
            if (!err)
                return out[0] == '/' ? 0 : resolve_program(out, 0, out, size);
            /* Like execvp: remember that something was there but could not run. */
            if (err == EACCES || err == ENOEXEC)
                found_err = err;
        }
        if (!end)
            break;
        dir = end + 1;
    }
    return found_err;
}

/*
 * Scripts start here, not in the kernel: a "#!" line names the program to
 * start instead, with the script's path as an argument, and that path must
 * be the one our namespace knows (the kernel would pass its own name for a
 * script it can only reach through the root mount, root.c). Linux's rules:
 * the interpreter is the first word, everything after it one argument, the
 * original argv[0] replaced by the script's path; an interpreter may itself
 * be a script, a few levels deep.
 */
enum { SHEBANG_MAX = 256, SCRIPT_DEPTH = 4 };

struct script {
    char **argv; /* malloc'd: the interpreter's arguments, pointing into lines and the caller's argv */
    char lines[SCRIPT_DEPTH][SHEBANG_MAX];
    char paths[SCRIPT_DEPTH][PATH_MAX];
};

/* Whether program is a script; its interpreter and optional argument point into line. */
static int read_shebang(const char *program, char *line, char **interp, char **arg)
{
    int fd = open(program, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, line, SHEBANG_MAX - 1);
    close(fd);
    if (n < 2 || line[0] != '#' || line[1] != '!')
        return 0;
    line[n] = 0;
    line[strcspn(line, "\n")] = 0;
    char *p = line + 2 + strspn(line + 2, " \t");
    *interp = p;
    p += strcspn(p, " \t");
    *arg = NULL;
    if (*p) {
        *p++ = 0;
        p += strspn(p, " \t");
        size_t len = strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
            p[--len] = 0;
        if (len)
            *arg = p;
    }
    return 1;
}

/*
 * Replaces program (a script's path) by its interpreter's and builds
 * script->argv; 0 or an errno. The script's path as execve was given it:
 * `given` for the first (as typed when it has a slash), program's after.
 */
static int run_scripts(struct script *script, char *program, size_t size, const char *given, char *const argv[])
{
    int argc = 0;
    while (argv[argc])
        argc++;
    char *const *args = argv;
    for (int depth = 0;; depth++) {
        char *interp, *arg;
        if (!read_shebang(program, script->lines[depth % SCRIPT_DEPTH], &interp, &arg))
            return 0;
        if (depth == SCRIPT_DEPTH)
            return ELOOP;
        if (!*interp)
            return ENOEXEC;
        /* the script's path as given to us, then the caller's arguments after argv[0] */
        snprintf(script->paths[depth], PATH_MAX, "%s", depth == 0 && strchr(given, '/') ? given : program);
        char **next = calloc(argc + 3, sizeof *next);
        if (!next)
            return ENOMEM;
        int k = 0;
        next[k++] = interp;
        if (arg)
            next[k++] = arg;
        next[k++] = script->paths[depth];
        for (int i = 1; i < argc; i++)
            next[k++] = args[i];
        free(script->argv);
        script->argv = next;
        args = next;
        argc = k;
        int err = resolve_program(interp, 0, program, size);
        if (err)
            return err;
    }
}

/*
 * Spawns name; *pid gets the child's pid (its namespace pid when the engine
 * keeps one). exec_as, when not 0, is the pid the child takes over (exec
 * keeps the caller's pid and parent).
 */
static int spawn_common(pid_t *pid, const char *name, int search,
                        const posix_spawn_file_actions_t *fa,
                        char *const argv[], char *const envp[], pid_t exec_as)
{
    extern char **environ;
    struct joined args = {0}, envs = {0};
    wasix_spawn_fd_op_t *ops = NULL;
    int *opened = NULL, nopened = 0;
    int err = 0;
    char program[PATH_MAX];
    struct script script = {0};

    if (!envp)
        envp = environ;
    pid_t ns_child = exec_as ? exec_as : berth_alloc_child_pid();
    if (ns_child < 0) {
        /* The container's pids limit (--pids-limit), as fork() fails at a cgroup's pids.max. */
        ns_child = 0;
        err = EAGAIN;
        goto out;
    }
    err = resolve_program(name, search, program, sizeof program);
    if (!err)
        err = run_scripts(&script, program, sizeof program, name, argv);
    if (err)
        goto out;
    if (script.argv)
        argv = script.argv;
    int escape = needs_escape(argv);
    pid_t parent_pid = exec_as ? getppid() : getpid();
    char not_terminal[4];
    child_not_terminal(fa, not_terminal);
    if (join_args(&args, argv, escape) || join_env(&envs, envp, escape, ns_child, parent_pid, not_terminal)) {
        err = ENOMEM;
        goto out;
    }

    /*
     * The child starts in our cwd: an explicit chdir op first, because the
     * kernel's own notion of our cwd is not what children inherit.
     */
    char cwd_buf[PATH_MAX], kernel_cwd[PATH_MAX];
    if (!getcwd(cwd_buf, sizeof cwd_buf))
        strcpy(cwd_buf, "/");
    const char *cwd = berth_kernel_path(cwd_buf, kernel_cwd, sizeof kernel_cwd);
    int nactions = fa ? fa->count : 0;
    int nops = nactions + 1;
    ops = calloc(nops, sizeof *ops);
    opened = calloc(nops, sizeof *opened);
    if (!ops || !opened) {
        err = ENOMEM;
        goto out;
    }
    ops[0].cmd = WASIX_FDOP_CHDIR;
    ops[0].path = cwd;
    ops[0].path_len = strlen(cwd);
    for (int i = 0; i < nactions; i++) {
        const struct berth_spawn_action *a = &fa->actions[i];
        wasix_spawn_fd_op_t *op = &ops[i + 1];
        switch (a->kind) {
        case ACTION_CLOSE:
            op->cmd = WASIX_FDOP_CLOSE;
            op->fd = a->fd;
            break;
        case ACTION_DUP2:
            op->cmd = WASIX_FDOP_DUP2;
            op->src_fd = a->src_fd;
            op->fd = a->fd;
            break;
        case ACTION_OPEN: {
            /* Open in the parent, hand it over with dup2, close our copy after. */
            int fd = berth_open(a->path, a->oflag, a->mode);
            if (fd < 0) {
                err = errno;
                goto out;
            }
            opened[nopened++] = fd;
            op->cmd = WASIX_FDOP_DUP2;
            op->src_fd = fd;
            op->fd = a->fd;
            break;
        }
        case ACTION_CHDIR:
            op->cmd = WASIX_FDOP_CHDIR;
            op->path = a->path;
            op->path_len = strlen(a->path);
            break;
        }
    }
    /* The parent's fds opened for ACTION_OPEN must not leak into the child. */
    if (nopened) {
        wasix_spawn_fd_op_t *more = realloc(ops, (nops + nopened) * sizeof *ops);
        if (!more) {
            err = ENOMEM;
            goto out;
        }
        ops = more;
        for (int i = 0; i < nopened; i++) {
            int still_target = 0;
            for (int k = 0; k < nactions; k++)
                if (fa->actions[k].fd == opened[i])
                    still_target = 1;
            memset(&ops[nops], 0, sizeof *ops);
            if (!still_target) {
                ops[nops].cmd = WASIX_FDOP_CLOSE;
                ops[nops].fd = opened[i];
                nops++;
            }
        }
    }

    char kernel_program[PATH_MAX];
    const char *start = berth_kernel_path(program, kernel_program, sizeof kernel_program);
    wasix_pid_t child = 0;
    err = wasix_proc_spawn2(start, strlen(start), args.data, args.len,
                            envs.data, envs.len, ops, nops, NULL, 0,
                            0, "", 0, &child);
    if (!err && ns_child)
        berth_add_child(ns_child, child);
    if (!err && pid)
        *pid = ns_child ? ns_child : child;
out:
    if (err && ns_child && !exec_as) {
        /* The pid was handed out for a process that never started. */
        char line[64];
        int len = snprintf(line, sizeof line, "exit %d 127\n", (int)ns_child);
        berth_write_hook_line(line, len);
    }
    for (int i = 0; i < nopened; i++)
        close(opened[i]);
    free(opened);
    free(ops);
    free(script.argv);
    free(args.data);
    free(envs.data);
    return err;
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    (void)attr;
    return spawn_common(pid, path, 0, fa, argv, envp, 0);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    (void)attr;
    return spawn_common(pid, file, 1, fa, argv, envp, 0);
}

/* The kernel's join gives this for every exit status from 80 up (Kernel facts in wasm/README.md). */
enum { KERNEL_STATUS_CEILING = 79 };
/* ... and this (WASI's ECHILD) for a child that trapped: one that wrote no exit line was not exit(12). */
enum { KERNEL_FAULT_STATUS = 12 };

pid_t waitpid(pid_t pid, int *status, int options)
{
    wasix_option_pid_t which = {0};
    wasix_join_status_t js;
    uint32_t flags = 0;

    if (pid > 0) {
        pid_t kernel = berth_child_kernel_pid(pid);
        if (kernel < 0) {
            errno = ECHILD;
            return -1;
        }
        which.tag = 1;
        which.pid = kernel;
    }
    if (options & WNOHANG)
        flags |= WASIX_JOIN_NON_BLOCKING;
    if (options & WUNTRACED)
        flags |= WASIX_JOIN_WAKE_STOPPED;
    for (;;) {
        memset(&js, 0, sizeof js);
        int err = wasix_proc_join(&which, flags, &js);
        if (err == __WASI_ERRNO_INTR)
            continue;
        if (err) {
            errno = err;
            return -1;
        }
        break;
    }
    switch (js.tag) {
    case WASIX_JOIN_NOTHING:
        if (options & WNOHANG)
            return 0;
        errno = ECHILD;
        return -1;
    case WASIX_JOIN_EXIT_NORMAL:
        if (status)
            *status = (js.u.exit_normal & 0xff) << 8;
        break;
    case WASIX_JOIN_EXIT_SIGNAL:
        if (status)
            *status = js.u.exit_signal.signal & 0x7f;
        break;
    case WASIX_JOIN_STOPPED:
        if (status)
            *status = ((js.u.stopped & 0xff) << 8) | 0x7f;
        break;
    }
    if (!which.tag)
        return pid;
    pid_t child = berth_child_pid((pid_t)which.pid, js.tag != WASIX_JOIN_STOPPED);
    int joined = js.u.exit_normal & 0xff;
    if (js.tag == WASIX_JOIN_EXIT_NORMAL && (joined == KERNEL_STATUS_CEILING || joined == KERNEL_FAULT_STATUS) && status) {
        int reported = berth_reported_status(child);
        if (reported >= 0)
            *status = reported << 8;
        else if (reported == BERTH_NO_EXIT_LINE && joined == KERNEL_FAULT_STATUS)
            *status = SIGSEGV; /* WIFSIGNALED: every trap is a segfault (Kernel facts) */
    }
    if (js.tag != WASIX_JOIN_STOPPED && forget_killed(child) && status && berth_reported_status(child) == BERTH_NO_EXIT_LINE)
        *status = SIGKILL; /* WIFSIGNALED: the kernel's join reports some other status for a killed process */
    if (js.tag != WASIX_JOIN_STOPPED)
        berth_report_reaped(child);
    return child;
}

pid_t wait(int *status)
{
    return waitpid(-1, status, 0);
}

int pipe(int fds[2])
{
    uint32_t r, w;
    int err = wasix_fd_pipe(&r, &w);
    if (err) {
        errno = err;
        return -1;
    }
    fds[0] = r;
    fds[1] = w;
    berth_mark_not_terminal(r, 1);
    berth_mark_not_terminal(w, 1);
    return 0;
}

int pipe2(int fds[2], int flags)
{
    if (pipe(fds))
        return -1;
    if (flags & O_NONBLOCK) {
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        fcntl(fds[1], F_SETFL, O_NONBLOCK);
    }
    return 0;
}

int dup(int fd)
{
    uint32_t copy;
    int err = wasix_fd_dup(fd, &copy);
    if (err) {
        errno = err;
        return -1;
    }
    berth_mark_not_terminal(copy, berth_not_terminal(fd));
    return copy;
}

int dup2(int fd, int newfd)
{
    if (fd == newfd) {
        if (fcntl(fd, F_GETFD) < 0)
            return -1;
        return newfd;
    }
    if (fcntl(fd, F_GETFD) < 0 || newfd < 0) {
        errno = EBADF;
        return -1;
    }
    /*
     * Not WASI's fd_renumber: the kernel's renumber never releases what it
     * replaces (a pipe's write end stayed open, so its reader never saw EOF).
     * dup() takes the lowest free number, so close newfd and dup until the
     * copy lands there, holding the lower numbers it takes on the way.
     */
    close(newfd);
    int taken[64];
    int ntaken = 0;
    int copy;
    for (;;) {
        copy = dup(fd);
        if (copy < 0 || copy == newfd || copy > newfd || ntaken == 64)
            break;
        taken[ntaken++] = copy;
    }
    for (int i = 0; i < ntaken; i++)
        close(taken[i]);
    if (copy < 0)
        return -1;
    if (copy != newfd) {
        /* newfd was not free after all (or is out of reach): the kernel's renumber, as a last resort */
        int err = __wasi_fd_renumber(copy, newfd);
        if (err) {
            close(copy);
            errno = err;
            return -1;
        }
    }
    berth_mark_not_terminal(newfd, berth_not_terminal(fd));
    return newfd;
}

/* One session and process group per process: WASIX has no job control. */
pid_t getpgrp(void) { return getpid(); }
pid_t getpgid(pid_t pid) { return pid ? pid : getpid(); }
int setpgid(pid_t pid, pid_t pgid) { (void)pid; (void)pgid; return 0; }
pid_t setsid(void) { return getpid(); }
pid_t tcgetpgrp(int fd) { (void)fd; return getpid(); }
int tcsetpgrp(int fd, pid_t pgrp) { (void)fd; (void)pgrp; return 0; }

uid_t getuid(void) { return berth_current_uid(); }
uid_t geteuid(void) { return berth_current_uid(); }
gid_t getgid(void) { return berth_current_gid(); }
gid_t getegid(void) { return berth_current_gid(); }

/* Children we sent SIGKILL and have not reaped: their join is reported as a death by SIGKILL. */
#define MAX_KILLED 32
static pid_t killed[MAX_KILLED];

static void remember_killed(pid_t pid)
{
    for (int i = 0; i < MAX_KILLED; i++)
        if (killed[i] == pid)
            return;
    for (int i = 0; i < MAX_KILLED; i++) {
        if (!killed[i]) {
            killed[i] = pid;
            return;
        }
    }
}

static int forget_killed(pid_t pid)
{
    for (int i = 0; i < MAX_KILLED; i++) {
        if (killed[i] == pid) {
            killed[i] = 0;
            return 1;
        }
    }
    return 0;
}

int kill(pid_t pid, int sig)
{
    if (pid <= 0) {
        /* Process groups do not exist on WASIX: a group is its leader. */
        pid = pid == 0 ? getpid() : -pid;
    }
    if (sig == 0)
        return 0;
    /* Only this process and its own children are reachable: pids of other trees mean nothing to the kernel. */
    pid_t kernel = berth_child_kernel_pid(pid);
    if (kernel < 0) {
        errno = EPERM;
        return -1;
    }
    int err = wasix_proc_signal(kernel, sig);
    if (err) {
        errno = err;
        return -1;
    }
    if (sig == SIGKILL && pid != getpid())
        remember_killed(pid);
    return 0;
}

static int exec_common(const char *name, int search, char *const argv[], char *const envp[])
{
    /*
     * exec = spawn + wait + exit with the child's status. In a pid namespace
     * the child takes over our pid and parent, so ps sees one process change
     * its program; outside one the pid changes.
     */
    pid_t pid;
    int err = spawn_common(&pid, name, search, NULL, argv, envp, berth_namespace_pid());
    if (err) {
        errno = err;
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    return exec_common(path, 0, argv, envp);
}

int execv(const char *path, char *const argv[])
{
    return exec_common(path, 0, argv, NULL);
}

int execvp(const char *file, char *const argv[])
{
    return exec_common(file, 1, argv, NULL);
}

/*
 * nanosleep, replacing wasi-libc's (which usleep and sleep call): a zero
 * wait is the kernel's clock subscription with a zero timeout, which never
 * fires, so `sleep 0` hung for ever. It yields instead, as Linux's does.
 */
int nanosleep(const struct timespec *request, struct timespec *remaining)
{
    if (request && request->tv_sec == 0 && request->tv_nsec == 0) {
        sched_yield();
        return 0;
    }
    /* the kernel's own default lets a timed sleep run on after a SIGTERM: ours ends it */
    berth_catch_signals();
    int err = clock_nanosleep(CLOCK_REALTIME, 0, request, remaining);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}
