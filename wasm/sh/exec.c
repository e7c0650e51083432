/*
 * Running commands without fork.
 *
 * - External programs start with posix_spawn; the shell first arranges its
 *   own descriptors (pipes, redirections) as the child should see them, then
 *   puts them back. Descriptors the shell keeps for itself are closed in
 *   every child.
 * - What POSIX runs in a subshell — ( list ), $( ), pipeline stages that are
 *   not plain programs, background lists — runs in a new process of this
 *   shell, started as `sh -c PRELUDE+TEXT $0 $1...`: the prelude re-creates
 *   our variables, functions, aliases and options, and passes $$, $! and $?
 *   (subshell_script). The command's own source text comes from the parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

extern char **environ;

struct Shell sh;

/* descriptors the shell holds for itself: never inherited by children */
static int internal_fds[256];
static int ninternal;

static void internal_add(int fd)
{
    if (ninternal < 256)
        internal_fds[ninternal++] = fd;
}

static void internal_remove(int fd)
{
    for (int i = 0; i < ninternal; i++)
        if (internal_fds[i] == fd) {
            internal_fds[i] = internal_fds[--ninternal];
            return;
        }
}

void sh_error(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (sh.interactive || !sh.line)
        dprintf(2, "sh: %s\n", buf);
    else
        dprintf(2, "sh: line %d: %s\n", sh.line, buf);
}

/* ---- redirections ---- */

typedef struct {
    int fd;
    int saved; /* copy of the original, or -1 if fd was closed */
} SavedFd;

typedef struct {
    SavedFd v[32];
    int n;
} Undo;

static void save_fd(Undo *u, int fd)
{
    for (int i = 0; i < u->n; i++)
        if (u->v[i].fd == fd)
            return;
    if (u->n == 32)
        return;
    int copy = fcntl(fd, F_GETFD) < 0 ? -1 : dup(fd);
    if (copy >= 0)
        internal_add(copy);
    u->v[u->n].fd = fd;
    u->v[u->n].saved = copy;
    u->n++;
}

static void undo_redirs(Undo *u)
{
    for (int i = u->n - 1; i >= 0; i--) {
        if (u->v[i].saved >= 0) {
            dup2(u->v[i].saved, u->v[i].fd);
            close(u->v[i].saved);
            internal_remove(u->v[i].saved);
        } else {
            close(u->v[i].fd);
        }
    }
    u->n = 0;
}

/* Writes a here-document into a pipe and returns its read end. */
static int heredoc_fd(const char *text)
{
    int fds[2];
    if (pipe(fds))
        return -1;
    size_t len = strlen(text);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fds[1], text + off, len - off);
        if (n <= 0)
            break;
        off += n;
    }
    close(fds[1]);
    return fds[0];
}

/* Applies redirections in this process; `u` records how to undo them (NULL: permanent). */
static int apply_redirs(Redir *r, Undo *u)
{
    for (; r; r = r->next) {
        int fd = r->fd;
        int src = -1;
        if (r->type == R_HEREDOC) {
            char *text = r->quoted ? xstrdup(r->heredoc) : expand_heredoc(r->heredoc);
            if (!text)
                return -1;
            src = heredoc_fd(text);
            free(text);
            if (src < 0) {
                sh_error("cannot create here-document: %s", strerror(errno));
                return -1;
            }
        } else {
            char *target = expand_word(r->word, 0);
            if (!target)
                return -1;
            if (r->type == R_DUPIN || r->type == R_DUPOUT) {
                if (!strcmp(target, "-")) {
                    if (u)
                        save_fd(u, fd);
                    close(fd);
                    free(target);
                    continue;
                }
                char *end;
                long n = strtol(target, &end, 10);
                if (!*target || *end || n < 0) {
                    sh_error("%s: bad file descriptor", target);
                    free(target);
                    return -1;
                }
                if (fcntl((int)n, F_GETFD) < 0) {
                    sh_error("%ld: bad file descriptor", n);
                    free(target);
                    return -1;
                }
                free(target);
                if (n == fd)
                    continue;
                if (u)
                    save_fd(u, fd);
                dup2((int)n, fd);
                continue;
            }
            int flags = 0;
            switch (r->type) {
            case R_IN: flags = O_RDONLY; break;
            case R_OUT: flags = O_WRONLY | O_CREAT | O_TRUNC | (sh.opt_C ? O_EXCL : 0); break;
            case R_CLOBBER: flags = O_WRONLY | O_CREAT | O_TRUNC; break;
            case R_APPEND: flags = O_WRONLY | O_CREAT | O_APPEND; break;
            case R_RDWR: flags = O_RDWR | O_CREAT; break;
            }
            if (r->type == R_OUT && sh.opt_C) {
                struct stat st;
                if (stat(target, &st) == 0 && !S_ISREG(st.st_mode))
                    flags &= ~(O_EXCL | O_TRUNC);
            }
            src = open(target, flags, 0666);
            if (src < 0) {
                if (errno == EEXIST)
                    sh_error("cannot create %s: File exists", target);
                else if (r->type == R_IN)
                    sh_error("cannot open %s: %s", target, errno == ENOENT ? "No such file" : strerror(errno));
                else
                    sh_error("cannot create %s: %s", target, strerror(errno));
                free(target);
                return -1;
            }
            free(target);
        }
        if (src == fd)
            continue;
        if (u)
            save_fd(u, fd);
        dup2(src, fd);
        close(src);
    }
    return 0;
}

/* ---- spawning ---- */

static void add_internal_closes(posix_spawn_file_actions_t *fa)
{
    for (int i = 0; i < ninternal; i++)
        posix_spawn_file_actions_addclose(fa, internal_fds[i]);
}

/* Starts file (a path, or a name looked up in the spawn's PATH) with argv. */
static pid_t spawn_file(const char *file, char **argv, char **envp, int *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    add_internal_closes(&fa);
    pid_t pid = 0;
    *err = posix_spawnp(&pid, file, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    return *err ? -1 : pid;
}

static pid_t spawn_argv(char **argv, char **envp, int *err)
{
    return spawn_file(argv[0], argv, envp, err);
}

/*
 * Ctrl-C of a foreground job (wasm/README.md, "What the shell must do for
 * Ctrl-C"): the kernel sends SIGINT to the root of the terminal session only,
 * and ends it if it is blocked in waitpid. So the root shell's handler only
 * sets a flag, the shell waits without blocking, and forwards SIGINT to each
 * process it waits for.
 */
static volatile sig_atomic_t sigint_seen;

static void on_sigint(int sig)
{
    (void)sig;
    sigint_seen = 1;
}

void foreground_signals_init(void)
{
    sh.fg_signals = 1;
    signal(SIGINT, on_sigint);
}

/* A new command line from the prompt: nothing is interrupted. */
void foreground_signals_reset(void)
{
    sigint_seen = 0;
    sh.interrupted = 0;
}

/*
 * A waited-for status as $? has it. A process a signal ended says which, as
 * ash and dash do (not for Ctrl-C or a closed pipe): "Segmentation fault".
 */
static int status_code(int status)
{
    if (!WIFSIGNALED(status))
        return WEXITSTATUS(status);
    int sig = WTERMSIG(status);
    if (sig != SIGINT && sig != SIGPIPE) {
        fflush(stdout);
        fprintf(stderr, "%s\n", strsignal(sig));
    }
    return 128 + sig;
}

/* Waits for pid while watching for Ctrl-C; returns its status, 130 when SIGINT ended it. */
static int wait_foreground(pid_t pid)
{
    int status = 0, forwarded = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return 127;
        if (sigint_seen && !forwarded) {
            kill(pid, SIGINT);
            forwarded = 1;
        }
        sched_yield();
    }
    int code = status_code(status);
    if (forwarded) {
        sh.interrupted = 1;
        /* the kernel reports a process ended by SIGINT as exit status 27 */
        if (code == 27 || code == 128 + SIGINT)
            code = 128 + SIGINT;
    }
    return code;
}

int wait_pid(pid_t pid)
{
    if (sh.fg_signals)
        return wait_foreground(pid);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return 127;
    }
    return status_code(status);
}

static void quote_into(Str *out, const char *s)
{
    str_putc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            str_puts(out, "'\\''");
        else
            str_putc(out, *s);
    }
    str_putc(out, '\'');
}

static void prelude_var(const char *name, const char *value, int flags, void *ctx)
{
    Str *out = ctx;
    if (!value) {
        if (flags & V_EXPORT) {
            str_puts(out, "export ");
            str_puts(out, name);
            str_putc(out, '\n');
        }
        return;
    }
    if ((flags & V_EXPORT) && !(flags & V_READONLY))
        return; /* travels in the environment */
    str_puts(out, name);
    str_putc(out, '=');
    quote_into(out, value);
    str_putc(out, '\n');
    if (flags & V_READONLY) {
        str_puts(out, (flags & V_EXPORT) ? "export " : "");
        str_puts(out, "readonly ");
        str_puts(out, name);
        str_putc(out, '\n');
    }
}

static void prelude_func(const char *name, const char *src, void *ctx)
{
    (void)name;
    Str *out = ctx;
    str_puts(out, src);
    str_putc(out, '\n');
}

static void prelude_alias(const char *name, const char *value, void *ctx)
{
    Str *out = ctx;
    str_puts(out, "alias ");
    str_puts(out, name);
    str_putc(out, '=');
    quote_into(out, value);
    str_putc(out, '\n');
}

char *subshell_script(const char *body)
{
    Str out = {0};
    var_each(prelude_var, &out);
    func_each(prelude_func, &out);
    alias_each(prelude_alias, &out);
    char state[96];
    snprintf(state, sizeof state, "__sh_state %d %d %d %d ", (int)sh.rootpid, (int)sh.lastbg, sh.status, sh.loop_depth);
    str_puts(&out, state);
    str_puts(&out, sh.opt_e ? "e" : "-");
    str_puts(&out, sh.opt_u ? "u" : "-");
    str_puts(&out, sh.opt_x ? "x" : "-");
    str_puts(&out, sh.opt_f ? "f" : "-");
    str_puts(&out, sh.opt_C ? "C" : "-");
    str_puts(&out, sh.opt_a ? "a" : "-");
    str_putc(&out, '\n');
    str_puts(&out, body);
    str_putc(&out, '\n');
    return str_take(&out);
}

/* Starts this shell on `body` with our stdin/stdout (after the caller arranged them). */
static pid_t spawn_subshell(const char *body)
{
    char *script = subshell_script(body);
    Vec argv = {0};
    vec_push(&argv, xstrdup(shell_self()));
    vec_push(&argv, xstrdup("-c"));
    vec_push(&argv, script);
    vec_push(&argv, xstrdup(sh.name));
    for (int i = 0; i < sh.nparams; i++)
        vec_push(&argv, xstrdup(sh.params[i]));
    char **args = vec_take(&argv);
    char **env = var_environ();
    int err;
    pid_t pid = spawn_argv(args, env, &err);
    if (pid < 0)
        sh_error("cannot start a subshell: %s", strerror(err));
    strv_free(args);
    strv_free(env);
    return pid;
}

char *command_substitution(const char *script, int *status)
{
    sh.substitutions++;
    int fds[2];
    if (pipe(fds)) {
        *status = 2;
        return xstrdup("");
    }
    internal_add(fds[0]);
    Undo u = {0};
    save_fd(&u, 1);
    dup2(fds[1], 1);
    close(fds[1]);
    pid_t pid = spawn_subshell(script);
    undo_redirs(&u);
    Str out = {0};
    char buf[4096];
    ssize_t n;
    if (pid > 0) {
        while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
            if (n > 0)
                str_putn(&out, buf, n);
    }
    close(fds[0]);
    internal_remove(fds[0]);
    *status = pid > 0 ? wait_pid(pid) : 2;
    /* a NUL byte cannot be part of a shell string */
    if (out.s)
        out.len = strlen(out.s);
    return str_take(&out);
}

/* ---- jobs ---- */

typedef struct Job {
    pid_t pid;
    int done;
    int status;
    char *cmd;
    struct Job *next;
} Job;
static Job *jobs;

void jobs_add(pid_t pid, const char *cmd)
{
    Job *j = xmalloc(sizeof *j);
    j->pid = pid;
    j->done = 0;
    j->status = 0;
    j->cmd = xstrdup(cmd ? cmd : "");
    j->next = NULL;
    Job **t = &jobs;
    while (*t)
        t = &(*t)->next;
    *t = j;
}

void jobs_list(void)
{
    int n = 1;
    for (Job *j = jobs; j; j = j->next, n++) {
        if (!j->done) {
            int status;
            if (waitpid(j->pid, &status, WNOHANG) == j->pid) {
                j->done = 1;
                j->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
            }
        }
        if (j->done)
            printf("[%d]  + Done%s%*s%s\n", n, j->status ? "" : "", 20, "", j->cmd);
        else
            printf("[%d]  + Running%*s%s\n", n, 17, "", j->cmd);
    }
    fflush(stdout);
    Job **p = &jobs;
    while (*p) {
        if ((*p)->done) {
            Job *d = *p;
            *p = d->next;
            free(d->cmd);
            free(d);
        } else
            p = &(*p)->next;
    }
}

int jobs_wait(pid_t pid, int *status)
{
    for (Job **p = &jobs; *p; p = &(*p)->next) {
        Job *j = *p;
        if (j->pid != pid)
            continue;
        *status = j->done ? j->status : wait_pid(pid);
        *p = j->next;
        free(j->cmd);
        free(j);
        return 0;
    }
    return -1;
}

int jobs_wait_all(void)
{
    while (jobs) {
        Job *j = jobs;
        if (!j->done)
            wait_pid(j->pid);
        jobs = j->next;
        free(j->cmd);
        free(j);
    }
    return 0;
}

/* ---- exit ---- */

void run_exit_trap(void)
{
    char *trap = sh.traps[0];
    if (trap && *trap && !sh.in_trap) {
        sh.traps[0] = NULL;
        sh.in_trap = 1;
        int status = sh.status;
        run_string(trap, "trap");
        sh.status = status;
        sh.in_trap = 0;
        free(trap);
    }
}

void sh_exit(int status)
{
    sh.status = status;
    run_exit_trap();
    fflush(stdout);
    exit(sh.status & 0xff);
}

/* ---- running ---- */

static int errexit_check(int status)
{
    if (status != 0 && sh.opt_e && !sh.errexit_suppressed && !sh.exiting)
        sh_exit(status);
    return status;
}

static void trace(char **argv, char **assigns)
{
    if (!sh.opt_x)
        return;
    const char *ps4 = var_get("PS4");
    Str out = {0};
    char *prefix = ps4 ? expand_word(ps4, 0) : xstrdup("+ ");
    str_puts(&out, prefix ? prefix : "+ ");
    free(prefix);
    int first = 1;
    for (char **a = assigns; a && *a; a++) {
        if (!first)
            str_putc(&out, ' ');
        str_puts(&out, *a);
        first = 0;
    }
    for (char **a = argv; a && *a; a++) {
        if (!first)
            str_putc(&out, ' ');
        int plain = **a != 0;
        for (const char *c = *a; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%", *c))
                plain = 0;
        if (plain)
            str_puts(&out, *a);
        else
            quote_into(&out, *a);
        first = 0;
    }
    str_putc(&out, '\n');
    write(2, out.s, out.len);
    free(out.s);
}

/* Looks name up in path (a PATH value; NULL: the default). */
static char *find_in_search_path(const char *name, const char *path)
{
    if (strchr(name, '/'))
        return access(name, F_OK) == 0 ? xstrdup(name) : NULL;
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *d = path;;) {
        const char *colon = strchr(d, ':');
        size_t len = colon ? (size_t)(colon - d) : strlen(d);
        Str full = {0};
        if (len) {
            str_putn(&full, d, len);
            str_putc(&full, '/');
        }
        str_puts(&full, name);
        char *p = str_take(&full);
        struct stat st;
        if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode))
            return p;
        free(p);
        if (!colon)
            break;
        d = colon + 1;
    }
    return NULL;
}

char *find_in_path(const char *name)
{
    return find_in_search_path(name, var_get("PATH"));
}

/* The path to run this shell again (subshells, scripts without #!): how it was
   started, looked up once in the PATH it started with. */
const char *shell_self(void)
{
    if (!sh.self) {
        char *found = strchr(sh.self_argv0, '/') ? xstrdup(sh.self_argv0) : find_in_search_path(sh.self_argv0, sh.self_search);
        sh.self = found ? found : xstrdup("/bin/sh");
    }
    return sh.self;
}

/* env for an external command: exported variables plus the command's assignments */
static char **command_env(char **assigns)
{
    if (!assigns || !assigns[0])
        return var_environ();
    char **base = var_environ();
    Vec env = {0};
    for (char **e = base; *e; e++) {
        size_t n = strcspn(*e, "=");
        int overridden = 0;
        for (char **a = assigns; *a; a++)
            if (!strncmp(*a, *e, n) && (*a)[n] == '=')
                overridden = 1;
        if (overridden)
            free(*e);
        else
            vec_push(&env, *e);
    }
    free(base);
    for (char **a = assigns; *a; a++)
        vec_push(&env, xstrdup(*a));
    return vec_take(&env);
}

/*
 * Whether a file that is not a program is binary after all (a NUL byte in
 * its first line, as bash checks): one for another machine or another
 * kernel's ABI, not a script to run with this shell.
 */
static int binary_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    char head[80];
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    for (ssize_t i = 0; i < n && head[i] != '\n'; i++)
        if (head[i] == 0)
            return 1;
    return 0;
}

static pid_t start_external(char **argv, char **assigns, int *status)
{
    char **env = command_env(assigns);
    const char *search = var_get("PATH");
    for (char **a = assigns; a && *a; a++)
        if (!strncmp(*a, "PATH=", 5))
            search = *a + 5;
    int err = ENOENT;
    /*
     * Our own PATH search, so that a script on PATH is found too (the
     * spawn's search passes over files that are not programs).
     */
    char *path = find_in_search_path(argv[0], search);
    pid_t pid = path ? spawn_file(path, argv, env, &err) : -1;
    if (pid < 0 && err == ENOEXEC && binary_file(path)) {
        sh_error("%s: cannot execute binary file: Exec format error", argv[0]);
        *status = 126;
        free(path);
        strv_free(env);
        return -1;
    }
    if (pid < 0 && err == ENOEXEC) {
        /* POSIX: a file that is not a program is a script for this shell */
        Vec script = {0};
        vec_push(&script, xstrdup(shell_self()));
        vec_push(&script, xstrdup(path));
        for (char **a = argv + 1; *a; a++)
            vec_push(&script, xstrdup(*a));
        char **args = vec_take(&script);
        pid = spawn_argv(args, env, &err);
        strv_free(args);
    }
    free(path);
    strv_free(env);
    if (pid < 0) {
        if (err == ENOENT) {
            sh_error("%s: not found", argv[0]);
            *status = 127;
        } else {
            sh_error("%s: %s", argv[0], err == ENOEXEC || err == EACCES ? "Permission denied" : strerror(err));
            *status = 126;
        }
    }
    return pid;
}

static int run_function(Node *body, char **argv)
{
    char **saved_params = sh.params;
    int saved_n = sh.nparams;
    int n = 0;
    while (argv[n + 1])
        n++;
    sh.params = argv + 1;
    sh.nparams = n;
    sh.func_depth++;
    var_push_scope();
    int status = run_node(body);
    var_pop_scope();
    sh.func_depth--;
    if (sh.returning) {
        sh.returning = 0;
        status = sh.status;
    }
    sh.params = saved_params;
    sh.nparams = saved_n;
    return status;
}

/* Expanded assignments NAME=value (tilde and expansions done). */
static char **expand_assigns(char **assigns, int *failed)
{
    Vec out = {0};
    *failed = 0;
    for (char **a = assigns; a && *a; a++) {
        char *eq = strchr(*a, '=');
        char *value = expand_word(eq + 1, EXP_ASSIGN);
        if (!value) {
            *failed = 1;
            break;
        }
        Str s = {0};
        str_putn(&s, *a, eq - *a + 1);
        str_puts(&s, value);
        free(value);
        vec_push(&out, str_take(&s));
    }
    return vec_take(&out);
}

static int set_assigns(char **assigns, int flags)
{
    for (char **a = assigns; *a; a++) {
        char *eq = strchr(*a, '=');
        char *name = xstrndup(*a, eq - *a);
        int r = var_set(name, eq + 1, flags);
        free(name);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* $LINENO is the line of the command being run. */
static void set_lineno(int line)
{
    sh.line = line;
    char lineno[16];
    snprintf(lineno, sizeof lineno, "%d", line);
    var_set("LINENO", lineno, 0);
}

static int run_simple(Node *n)
{
    set_lineno(n->line);
    /* alias expansion of the first word, when it is plain text */
    if (n->words[0] && !strpbrk(n->words[0], "'\"\\$`")) {
        const char *alias = alias_get(n->words[0]);
        if (alias && sh.eval_depth < 50) {
            Str text = {0};
            for (char **a = n->assigns; *a; a++) {
                str_puts(&text, *a);
                str_putc(&text, ' ');
            }
            str_puts(&text, alias);
            for (char **w = n->words + 1; *w; w++) {
                str_putc(&text, ' ');
                str_puts(&text, *w);
            }
            char *src = str_take(&text);
            sh.eval_depth++;
            Undo u = {0};
            int status;
            if (apply_redirs(n->redirs, &u) == 0) {
                /* stop the alias from expanding itself again */
                char *value = xstrdup(alias);
                alias_unset(n->words[0]);
                status = run_string(src, NULL);
                alias_set(n->words[0], value);
                free(value);
            } else {
                status = 1;
            }
            undo_redirs(&u);
            sh.eval_depth--;
            free(src);
            return status;
        }
    }
    int substitutions = sh.substitutions;
    Vec fields = {0};
    int r = expand_words(n->words, &fields);
    char **argv = vec_take(&fields);
    if (r < 0) {
        strv_free(argv);
        if (!sh.interactive && (r == -2 || sh.opt_u))
            sh_exit(2);
        return 1;
    }
    int failed;
    if (!argv[0]) {
        /* assignments and redirections only: the redirections first, in effect while the values expand (dash) */
        Undo u = {0};
        if (apply_redirs(n->redirs, &u)) {
            undo_redirs(&u);
            strv_free(argv);
            return 1;
        }
        char **assigns = expand_assigns(n->assigns, &failed);
        undo_redirs(&u);
        strv_free(argv);
        if (!failed) {
            trace(NULL, assigns);
            failed = set_assigns(assigns, 0) < 0;
        }
        strv_free(assigns);
        if (failed) {
            if (!sh.interactive)
                sh_exit(2);
            return 1;
        }
        return sh.substitutions != substitutions ? sh.status : 0;
    }
    char **assigns = expand_assigns(n->assigns, &failed);
    for (char **a = assigns; !failed && *a; a++) {
        /* a readonly variable cannot be given to a command either */
        char *name = xstrndup(*a, strcspn(*a, "="));
        if (var_flags(name) & V_READONLY) {
            sh_error("%s: is read only", name);
            failed = 1;
        }
        free(name);
    }
    if (failed) {
        strv_free(argv);
        strv_free(assigns);
        if (!sh.interactive)
            sh_exit(2);
        return 1;
    }
    int status = sh.status;
    trace(argv, assigns);
    builtin_fn builtin = builtin_find(argv[0]);
    Node *func = builtin && is_special_builtin(argv[0]) ? NULL : func_get(argv[0]);
    if (builtin == builtin_find("exec") && !argv[1]) {
        /* exec with only redirections: they stay for the rest of the shell */
        int failed_redir = apply_redirs(n->redirs, NULL);
        strv_free(argv);
        strv_free(assigns);
        if (failed_redir && !sh.interactive)
            sh_exit(2);
        return failed_redir ? 2 : 0;
    }
    if (func || builtin) {
        Undo u = {0};
        if (apply_redirs(n->redirs, &u)) {
            int special = builtin && is_special_builtin(argv[0]);
            undo_redirs(&u);
            strv_free(argv);
            strv_free(assigns);
            if (special && !sh.interactive)
                sh_exit(2);
            return special ? 2 : 1;
        }
        if (func) {
            /* assignments before a function hold for the call only, exported: a frame of their own */
            var_push_scope();
            for (char **a = assigns; *a; a++) {
                char *name = xstrndup(*a, strcspn(*a, "="));
                var_make_local(name);
                free(name);
            }
            set_assigns(assigns, V_EXPORT);
            status = run_function(func, argv);
            var_pop_scope();
        } else if (is_special_builtin(argv[0])) {
            if (set_assigns(assigns, 0) < 0)
                status = 1;
            else {
                int argc = 0;
                while (argv[argc])
                    argc++;
                status = builtin(argc, argv);
            }
        } else {
            /* regular builtins see the assignments only while they run */
            Vec saved = {0};
            for (char **a = assigns; *a; a++) {
                char *eq = strchr(*a, '=');
                char *name = xstrndup(*a, eq - *a);
                char *old = var_get(name);
                Str s = {0};
                str_puts(&s, name);
                str_putc(&s, old ? '=' : '\0');
                if (old)
                    str_puts(&s, old);
                vec_push(&saved, str_take(&s));
                var_set(name, eq + 1, V_EXPORT);
                free(name);
            }
            int argc = 0;
            while (argv[argc])
                argc++;
            status = builtin(argc, argv);
            for (int i = saved.n - 1; i >= 0; i--) {
                char *eq = strchr(saved.v[i], '=');
                if (eq) {
                    *eq = 0;
                    var_set(saved.v[i], eq + 1, 0);
                } else {
                    var_unset(saved.v[i]);
                }
            }
            strv_free(vec_take(&saved));
        }
        fflush(stdout);
        undo_redirs(&u);
        strv_free(argv);
        strv_free(assigns);
        return status;
    }
    Undo u = {0};
    if (apply_redirs(n->redirs, &u)) {
        undo_redirs(&u);
        strv_free(argv);
        strv_free(assigns);
        return 1;
    }
    fflush(stdout);
    status = 0;
    pid_t pid = start_external(argv, assigns, &status);
    undo_redirs(&u);
    if (pid > 0)
        status = wait_pid(pid);
    strv_free(argv);
    strv_free(assigns);
    return status;
}

/* Starts one pipeline stage (stdin/stdout already arranged) and returns its pid, or -1 with *status. */
static pid_t start_stage(Node *n, int *status)
{
    if (n->type == N_SIMPLE && n->words[0] && !alias_get(n->words[0])) {
        Vec fields = {0};
        if (expand_words(n->words, &fields) < 0) {
            strv_free(vec_take(&fields));
            *status = 1;
            return -1;
        }
        char **argv = vec_take(&fields);
        if (argv[0] && !builtin_find(argv[0]) && !func_get(argv[0])) {
            int failed;
            char **assigns = expand_assigns(n->assigns, &failed);
            Undo u = {0};
            pid_t pid = -1;
            if (!failed && apply_redirs(n->redirs, &u) == 0) {
                trace(argv, assigns);
                pid = start_external(argv, assigns, status);
            } else {
                *status = 1;
            }
            undo_redirs(&u);
            strv_free(assigns);
            strv_free(argv);
            return pid;
        }
        strv_free(argv);
    }
    pid_t pid = spawn_subshell(n->src ? n->src : "");
    if (pid < 0)
        *status = 2;
    return pid;
}

static int run_pipeline(Node *n)
{
    pid_t pids[n->ncmds];
    int statuses[n->ncmds];
    int in = -1;
    Undo u = {0};
    save_fd(&u, 0);
    save_fd(&u, 1);
    for (int i = 0; i < n->ncmds; i++) {
        int fds[2] = {-1, -1};
        if (i < n->ncmds - 1) {
            if (pipe(fds)) {
                sh_error("pipe: %s", strerror(errno));
                break;
            }
        }
        if (in >= 0) {
            dup2(in, 0);
            close(in);
            internal_remove(in);
            in = -1;
        } else if (i > 0) {
            close(0);
        } else {
            dup2(u.v[0].saved, 0);
        }
        if (fds[1] >= 0) {
            dup2(fds[1], 1);
            close(fds[1]);
            in = fds[0];
            internal_add(in);
        } else {
            dup2(u.v[1].saved, 1);
        }
        fflush(stdout);
        statuses[i] = 0;
        pids[i] = start_stage(n->cmds[i], &statuses[i]);
    }
    if (in >= 0) {
        close(in);
        internal_remove(in);
    }
    undo_redirs(&u);
    int status = 0;
    for (int i = 0; i < n->ncmds; i++) {
        int s = pids[i] > 0 ? wait_pid(pids[i]) : statuses[i];
        if (i == n->ncmds - 1)
            status = s;
    }
    return status;
}

static int run_background(Node *n)
{
    Undo u = {0};
    int status = 0;
    pid_t pid;
    if (!sh.interactive) {
        /* POSIX: an asynchronous list reads from /dev/null */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) {
            save_fd(&u, 0);
            dup2(null, 0);
            close(null);
        }
    }
    Node *cmd = n->left;
    if (cmd->type == N_SIMPLE || cmd->type == N_PIPE)
        pid = cmd->type == N_SIMPLE ? start_stage(cmd, &status) : spawn_subshell(cmd->src ? cmd->src : "");
    else
        pid = spawn_subshell(cmd->src ? cmd->src : n->src);
    undo_redirs(&u);
    if (pid > 0) {
        sh.lastbg = pid;
        jobs_add(pid, n->src);
        if (sh.interactive)
            dprintf(2, "[%d] %d\n", 1, (int)pid);
    }
    return 0;
}

static int run_case(Node *n)
{
    set_lineno(n->line);
    char *word = expand_word(n->name, 0);
    if (!word)
        return 1;
    int status = 0;
    for (CaseItem *item = n->items; item; item = item->next) {
        for (char **p = item->patterns; *p; p++) {
            char *pattern = expand_pattern(*p);
            int matched = pattern && pattern_match(pattern, word);
            free(pattern);
            if (matched) {
                status = item->body ? run_node(item->body) : 0;
                free(word);
                return status;
            }
        }
    }
    free(word);
    return status;
}

static int loop_control(void)
{
    /*
     * A system call every iteration: the kernel can only stop a process
     * while it is in one, so a busy `while :; do :; done` stays killable.
     */
    sched_yield();
    /* returns 1 when the loop must stop */
    if (sh.exiting || sh.returning)
        return 1;
    if (sh.breaking) {
        sh.breaking--;
        return 1;
    }
    if (sh.continuing) {
        if (--sh.continuing > 0)
            return 1;
    }
    return 0;
}

static int run_for(Node *n)
{
    set_lineno(n->line);
    Vec items = {0};
    if (n->list) {
        if (expand_words(n->list, &items) < 0) {
            strv_free(vec_take(&items));
            return 1;
        }
    } else {
        for (int i = 0; i < sh.nparams; i++)
            vec_push(&items, xstrdup(sh.params[i]));
    }
    char **list = vec_take(&items);
    int status = 0;
    sh.loop_depth++;
    for (char **w = list; *w; w++) {
        if (var_set(n->name, *w, 0) < 0) {
            status = 1;
            break;
        }
        status = n->right ? run_node(n->right) : 0;
        if (loop_control())
            break;
    }
    sh.loop_depth--;
    strv_free(list);
    return status;
}

static int run_loop(Node *n)
{
    int status = 0;
    sh.loop_depth++;
    for (;;) {
        sh.errexit_suppressed++;
        int cond = run_node(n->left);
        sh.errexit_suppressed--;
        if (sh.exiting || sh.returning)
            break;
        if (sh.breaking || sh.continuing) {
            if (loop_control())
                break;
            continue;
        }
        if ((n->type == N_WHILE) != (cond == 0))
            break;
        status = n->right ? run_node(n->right) : 0;
        if (loop_control())
            break;
    }
    sh.loop_depth--;
    return status;
}

static int run_compound_with_redirs(Node *n, int (*fn)(Node *))
{
    if (!n->redirs)
        return fn(n);
    Undo u = {0};
    if (apply_redirs(n->redirs, &u)) {
        undo_redirs(&u);
        return 2; /* dash */
    }
    int status = fn(n);
    fflush(stdout);
    undo_redirs(&u);
    return status;
}

static int run_group(Node *n)
{
    return run_node(n->left);
}

static int run_if(Node *n)
{
    sh.errexit_suppressed++;
    int cond = run_node(n->left);
    sh.errexit_suppressed--;
    if (sh.exiting || sh.returning || sh.breaking || sh.continuing)
        return cond;
    if (cond == 0)
        return n->right ? run_node(n->right) : 0;
    if (n->alt)
        return run_node(n->alt);
    return 0;
}

static int run_subshell(Node *n)
{
    Undo u = {0};
    if (apply_redirs(n->redirs, &u)) {
        undo_redirs(&u);
        return 1;
    }
    fflush(stdout);
    pid_t pid = spawn_subshell(n->src ? n->src : "");
    undo_redirs(&u);
    return pid > 0 ? wait_pid(pid) : 2;
}

int run_node(Node *n)
{
    if (!n)
        return sh.status;
    if (sh.exiting || sh.returning || sh.breaking || sh.continuing)
        return sh.status;
    if (sh.interrupted)
        return 128 + SIGINT;
    int status = 0;
    switch (n->type) {
    case N_SIMPLE:
        status = errexit_check(run_simple(n));
        break;
    case N_PIPE:
        status = errexit_check(run_pipeline(n));
        break;
    case N_NOT:
        sh.errexit_suppressed++;
        status = !run_node(n->left);
        sh.errexit_suppressed--;
        break;
    case N_AND:
    case N_OR:
        sh.errexit_suppressed++;
        status = run_node(n->left);
        sh.errexit_suppressed--;
        if (sh.exiting || sh.returning || sh.breaking || sh.continuing)
            break;
        if ((status == 0) == (n->type == N_AND))
            status = run_node(n->right);
        break;
    case N_SEQ:
        run_node(n->left);
        status = run_node(n->right);
        if (!n->right)
            status = sh.status;
        break;
    case N_BG:
        status = run_background(n);
        break;
    case N_SUBSHELL:
        status = errexit_check(run_subshell(n));
        break;
    case N_GROUP:
        status = run_compound_with_redirs(n, run_group);
        break;
    case N_IF:
        status = run_compound_with_redirs(n, run_if);
        break;
    case N_WHILE:
    case N_UNTIL:
        status = run_compound_with_redirs(n, run_loop);
        break;
    case N_FOR:
        status = run_compound_with_redirs(n, run_for);
        break;
    case N_CASE:
        status = run_compound_with_redirs(n, run_case);
        break;
    case N_FUNC:
        func_set(n->name, n->left, n->src);
        status = 0;
        break;
    }
    if (!sh.returning && !sh.exiting)
        sh.status = status;
    return sh.returning || sh.exiting ? sh.status : status;
}

/* Parses and runs a whole string (eval, ., sh -c, traps). */
int run_string(const char *src, const char *name)
{
    (void)name;
    size_t pos = 0;
    int line = 1;
    int status = 0;
    int saved_line = sh.line;
    for (;;) {
        Node *n;
        char err[256];
        int r = parse_command(src, &pos, &line, &n, err, sizeof err);
        if (r == PARSE_EOF)
            break;
        if (r == PARSE_INCOMPLETE || r == PARSE_ERROR) {
            sh.line = line;
            sh_error("syntax error: %s", err);
            status = 2;
            sh.status = 2;
            if (!sh.interactive && sh.eval_depth == 0)
                sh_exit(2);
            break;
        }
        if (r == PARSE_EMPTY)
            continue;
        if (sh.opt_n)
            continue;
        status = run_node(n);
        if (sh.exiting || sh.returning || sh.breaking || sh.continuing)
            break;
    }
    sh.line = saved_line;
    return status;
}
