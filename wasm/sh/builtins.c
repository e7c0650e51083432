/* The builtins: the commands the shell runs itself. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

extern char **environ;

static int bi_colon(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static int bi_false(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 1;
}

static char *logical_cd_path(const char *base, const char *dir)
{
    /* join and canonicalize . and .. textually, as cd -L does */
    Str path = {0};
    if (dir[0] != '/') {
        str_puts(&path, base);
        str_putc(&path, '/');
    }
    str_puts(&path, dir);
    char *joined = str_take(&path);
    Vec parts = {0};
    char *save, *tok = strtok_r(joined, "/", &save);
    while (tok) {
        if (!strcmp(tok, "..")) {
            if (parts.n > 0) {
                free(parts.v[--parts.n]);
                /* keep the vector NULL-terminated: strv_free would free the popped part again */
                parts.v[parts.n] = NULL;
            }
        } else if (strcmp(tok, ".")) {
            vec_push(&parts, xstrdup(tok));
        }
        tok = strtok_r(NULL, "/", &save);
    }
    free(joined);
    Str out = {0};
    for (int i = 0; i < parts.n; i++) {
        str_putc(&out, '/');
        str_puts(&out, parts.v[i]);
    }
    if (!out.len)
        str_putc(&out, '/');
    strv_free(vec_take(&parts));
    return str_take(&out);
}

static int bi_cd(int argc, char **argv)
{
    int physical = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if (!strcmp(argv[i], "-P"))
            physical = 1;
        else if (!strcmp(argv[i], "-L"))
            physical = 0;
        else
            break;
    }
    const char *dir = argv[i];
    int print = 0;
    if (!dir) {
        dir = var_get("HOME");
        if (!dir || !*dir) {
            sh_error("cd: HOME not set");
            return 1;
        }
    } else if (!strcmp(dir, "-")) {
        dir = var_get("OLDPWD");
        if (!dir) {
            sh_error("cd: OLDPWD not set");
            return 1;
        }
        print = 1;
    }
    char cwd[PATH_MAX];
    const char *pwd = var_get("PWD");
    if (!pwd || pwd[0] != '/')
        pwd = getcwd(cwd, sizeof cwd) ? cwd : "/";
    char *target = NULL;
    /* CDPATH */
    const char *cdpath = var_get("CDPATH");
    if (cdpath && dir[0] != '/' && strncmp(dir, "./", 2) && strncmp(dir, "../", 3) && strcmp(dir, ".") && strcmp(dir, "..")) {
        for (const char *d = cdpath;;) {
            const char *colon = strchr(d, ':');
            size_t len = colon ? (size_t)(colon - d) : strlen(d);
            if (len) {
                Str c = {0};
                str_putn(&c, d, len);
                str_putc(&c, '/');
                str_puts(&c, dir);
                char *cand = str_take(&c);
                struct stat st;
                if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode)) {
                    target = cand[0] == '/' ? xstrdup(cand) : logical_cd_path(pwd, cand);
                    free(cand);
                    print = 1;
                    break;
                }
                free(cand);
            }
            if (!colon)
                break;
            d = colon + 1;
        }
    }
    if (!target)
        target = physical ? xstrdup(dir) : logical_cd_path(pwd, dir);
    if (chdir(target)) {
        sh_error("cd: can't cd to %s", argv[i] ? argv[i] : dir);
        free(target);
        return 2;
    }
    if (physical) {
        free(target);
        target = getcwd(cwd, sizeof cwd) ? xstrdup(cwd) : xstrdup(dir);
    }
    var_set("OLDPWD", pwd, 0);
    var_set("PWD", target, 0);
    if (print)
        printf("%s\n", target);
    free(target);
    return 0;
}

static int bi_pwd(int argc, char **argv)
{
    int physical = argc > 1 && !strcmp(argv[1], "-P");
    const char *pwd = var_get("PWD");
    char cwd[PATH_MAX];
    struct stat a, b;
    if (!physical && pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 && a.st_ino == b.st_ino) {
        printf("%s\n", pwd);
        return 0;
    }
    if (!getcwd(cwd, sizeof cwd)) {
        sh_error("pwd: %s", strerror(errno));
        return 1;
    }
    printf("%s\n", cwd);
    return 0;
}

/* echo as dash's: backslash escapes always (\c stops output), and the options below. */
static int bi_echo(int argc, char **argv)
{
    int i = 1, newline = 1, escapes = 1, hex = 0;
    /*
     * -n, and bash's and ash's -e (escapes, as dash always does; with them also
     * \xHH, which dash's echo prints as is) and -E (none), in any combination
     */
    for (; i < argc && argv[i][0] == '-' && argv[i][1] && strspn(argv[i] + 1, "neE") == strlen(argv[i] + 1); i++) {
        for (const char *o = argv[i] + 1; *o; o++) {
            if (*o == 'n')
                newline = 0;
            else
                escapes = hex = *o == 'e';
        }
    }
    Str out = {0};
    for (; i < argc; i++) {
        for (const char *s = argv[i]; *s; s++) {
            if (*s != '\\' || !s[1] || !escapes) {
                str_putc(&out, *s);
                continue;
            }
            s++;
            switch (*s) {
            case 'a': str_putc(&out, '\a'); break;
            case 'b': str_putc(&out, '\b'); break;
            case 'c':
                fwrite(out.s, 1, out.len, stdout);
                free(out.s);
                return 0;
            case 'f': str_putc(&out, '\f'); break;
            case 'n': str_putc(&out, '\n'); break;
            case 'r': str_putc(&out, '\r'); break;
            case 't': str_putc(&out, '\t'); break;
            case 'v': str_putc(&out, '\v'); break;
            case '\\': str_putc(&out, '\\'); break;
            case '0': {
                int v = 0, k = 0;
                while (k < 3 && s[1] >= '0' && s[1] <= '7') {
                    v = v * 8 + (*++s - '0');
                    k++;
                }
                str_putc(&out, (char)v);
                break;
            }
            case 'x': {
                char byte;
                int digits = hex ? hex_escape(s + 1, &byte) : 0;
                if (digits) {
                    str_putc(&out, byte);
                    s += digits;
                    break;
                }
            }
                /* fall through */
            default:
                str_putc(&out, '\\');
                str_putc(&out, *s);
            }
        }
        if (i + 1 < argc)
            str_putc(&out, ' ');
    }
    if (newline)
        str_putc(&out, '\n');
    if (out.len && fwrite(out.s, 1, out.len, stdout) != out.len) {
        free(out.s);
        return 1;
    }
    free(out.s);
    return fflush(stdout) ? 1 : 0;
}

static void print_export(const char *name, const char *value, int flags, void *ctx)
{
    int want = *(int *)ctx;
    if (!(flags & want))
        return;
    const char *word = want == V_EXPORT ? "export" : "readonly";
    if (!value) {
        printf("%s %s\n", word, name);
        return;
    }
    printf("%s %s='", word, name);
    for (const char *s = value; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", stdout);
        else
            putchar(*s);
    }
    printf("'\n");
}

static int declare(int argc, char **argv, int flag)
{
    int i = 1;
    if (i < argc && !strcmp(argv[i], "-p"))
        i++;
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (i >= argc) {
        var_each(print_export, &flag);
        return 0;
    }
    int status = 0;
    for (; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        char *name = eq ? xstrndup(argv[i], eq - argv[i]) : xstrdup(argv[i]);
        if (!is_name(name, strlen(name))) {
            sh_error("%s: %s: bad variable name", argv[0], name);
            free(name);
            status = 1;
            if (!sh.interactive)
                sh_exit(2);
            continue;
        }
        if (eq && var_set(name, eq + 1, 0) < 0)
            status = 1;
        if (flag == V_EXPORT)
            var_export(name);
        else
            var_readonly(name);
        free(name);
    }
    return status;
}

static int bi_export(int argc, char **argv)
{
    return declare(argc, argv, V_EXPORT);
}

static int bi_readonly(int argc, char **argv)
{
    return declare(argc, argv, V_READONLY);
}

static int bi_unset(int argc, char **argv)
{
    int funcs = 0, i = 1, status = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-f"))
            funcs = 1;
        else if (!strcmp(argv[i], "-v"))
            funcs = 0;
        else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
    }
    for (; i < argc; i++) {
        if (funcs) {
            func_unset(argv[i]);
        } else if (!is_name(argv[i], strlen(argv[i]))) {
            sh_error("unset: %s: bad variable name", argv[i]);
            if (!sh.interactive)
                sh_exit(2);
            status = 2;
        } else if (var_unset(argv[i]) < 0) {
            status = 1;
        }
    }
    return status;
}

static int bi_local(int argc, char **argv)
{
    if (!sh.func_depth) {
        sh_error("local: not in a function");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        char *name = eq ? xstrndup(argv[i], eq - argv[i]) : xstrdup(argv[i]);
        var_make_local(name);
        if (eq)
            var_set(name, eq + 1, 0);
        free(name);
    }
    return 0;
}

static void print_var(const char *name, const char *value, int flags, void *ctx)
{
    (void)flags;
    (void)ctx;
    if (!value)
        return;
    printf("%s='", name);
    for (const char *s = value; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", stdout);
        else
            putchar(*s);
    }
    printf("'\n");
}

static int *option_flag(char c)
{
    switch (c) {
    case 'e': return &sh.opt_e;
    case 'u': return &sh.opt_u;
    case 'x': return &sh.opt_x;
    case 'f': return &sh.opt_f;
    case 'n': return &sh.opt_n;
    case 'v': return &sh.opt_v;
    case 'C': return &sh.opt_C;
    case 'a': return &sh.opt_a;
    case 'm': return &sh.opt_m;
    }
    return NULL;
}

static const struct {
    const char *name;
    char letter;
} LONG_OPTIONS[] = {
    {"errexit", 'e'}, {"nounset", 'u'}, {"xtrace", 'x'}, {"noglob", 'f'}, {"noexec", 'n'},
    {"verbose", 'v'}, {"noclobber", 'C'}, {"allexport", 'a'}, {"monitor", 'm'}, {NULL, 0},
};

static void set_params(char **args, int n)
{
    char **params = xmalloc((n + 1) * sizeof(char *));
    for (int i = 0; i < n; i++)
        params[i] = xstrdup(args[i]);
    params[n] = NULL;
    sh.params = params;
    sh.nparams = n;
}

static int bi_set(int argc, char **argv)
{
    if (argc == 1) {
        var_each(print_var, NULL);
        return 0;
    }
    int i = 1;
    for (; i < argc; i++) {
        char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            set_params(argv + i, argc - i);
            return 0;
        }
        if (!strcmp(a, "+"))
            continue; /* an empty flag (dash) */
        if ((a[0] != '-' && a[0] != '+') || !a[1]) {
            if (!strcmp(a, "-")) {
                sh.opt_x = sh.opt_v = 0;
                i++;
            }
            break;
        }
        int on = a[0] == '-';
        if (a[1] == 'o') {
            const char *name = a[2] ? a + 2 : argv[++i];
            if (!name) {
                for (int k = 0; LONG_OPTIONS[k].name; k++) {
                    if (on)
                        printf("%-15s %s\n", LONG_OPTIONS[k].name, *option_flag(LONG_OPTIONS[k].letter) ? "on" : "off");
                    else
                        printf("set %co %s\n", *option_flag(LONG_OPTIONS[k].letter) ? '-' : '+', LONG_OPTIONS[k].name);
                }
                return 0;
            }
            int found = 0;
            for (int k = 0; LONG_OPTIONS[k].name; k++) {
                if (!strcmp(LONG_OPTIONS[k].name, name)) {
                    *option_flag(LONG_OPTIONS[k].letter) = on;
                    found = 1;
                }
            }
            if (!found && strcmp(name, "pipefail") && strcmp(name, "emacs") && strcmp(name, "vi")) {
                sh_error("set: Illegal option -o %s", name);
                if (!sh.interactive)
                    sh_exit(2); /* set is a special builtin */
                return 2;
            }
            continue;
        }
        for (char *c = a + 1; *c; c++) {
            int *flag = option_flag(*c);
            if (!flag) {
                sh_error("set: Illegal option %c%c", a[0], *c);
                if (!sh.interactive)
                    sh_exit(2);
                return 2;
            }
            *flag = on;
        }
    }
    if (i < argc)
        set_params(argv + i, argc - i);
    return 0;
}

static int bi_shift(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 0 || n > sh.nparams) {
        sh_error("shift: can't shift that many");
        if (!sh.interactive)
            sh_exit(2);
        return 2;
    }
    sh.params += n;
    sh.nparams -= n;
    return 0;
}

static int bi_exit(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : sh.status;
    if (argc > 1) {
        char *end;
        strtol(argv[1], &end, 10);
        if (*end || !*argv[1]) {
            sh_error("exit: Illegal number: %s", argv[1]);
            status = 2;
        }
    }
    sh_exit(status);
}

static int bi_return(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : sh.status;
    if (!sh.func_depth && !sh.eval_depth) {
        sh.status = status;
        sh.returning = 0;
        sh_exit(status);
    }
    sh.status = status & 0xff;
    sh.returning = 1;
    return sh.status;
}

static int loop_word(int argc, char **argv, int *counter)
{
    char *end = NULL;
    long n = argc > 1 ? strtol(argv[1], &end, 10) : 1;
    if (n <= 0 || (end && *end)) {
        sh_error("%s: Illegal number: %s", argv[0], argv[1]);
        if (!sh.interactive)
            sh_exit(2);
        return 1;
    }
    if (!sh.loop_depth)
        return 0;
    *counter = n > sh.loop_depth ? sh.loop_depth : n;
    return 0;
}

static int bi_break(int argc, char **argv)
{
    return loop_word(argc, argv, &sh.breaking);
}

static int bi_continue(int argc, char **argv)
{
    return loop_word(argc, argv, &sh.continuing);
}

static int bi_eval(int argc, char **argv)
{
    Str src = {0};
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            str_putc(&src, ' ');
        str_puts(&src, argv[i]);
    }
    char *text = str_take(&src);
    sh.eval_depth++;
    sh.status = 0;
    int status = run_string(text, "eval");
    sh.eval_depth--;
    free(text);
    return status;
}

static int bi_dot(int argc, char **argv)
{
    if (argc < 2) {
        sh_error(".: filename argument required");
        return 2;
    }
    char *path = strchr(argv[1], '/') ? xstrdup(argv[1]) : find_in_path(argv[1]);
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) {
        sh_error(".: cannot open %s: No such file", argv[1]);
        free(path);
        if (!sh.interactive)
            sh_exit(2);
        return 2;
    }
    Str src = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        str_putn(&src, buf, n);
    fclose(f);
    free(path);
    char *text = str_take(&src);
    char **saved_params = sh.params;
    int saved_n = sh.nparams;
    if (argc > 2) {
        sh.params = argv + 2;
        sh.nparams = argc - 2;
    }
    sh.eval_depth++;
    int status = run_string(text, argv[1]);
    sh.eval_depth--;
    if (sh.returning && !sh.func_depth)
        sh.returning = 0;
    sh.params = saved_params;
    sh.nparams = saved_n;
    free(text);
    return status;
}

static int bi_exec(int argc, char **argv)
{
    if (argc < 2)
        return 0; /* redirections were applied permanently by the caller */
    fflush(stdout);
    char *path = find_in_path(argv[1]);
    if (!path) {
        sh_error("exec: %s: not found", argv[1]);
        sh_exit(127);
    }
    run_exit_trap();
    char **env = var_environ();
    execve(path, argv + 1, env);
    sh_error("exec: %s: %s", argv[1], strerror(errno));
    sh_exit(126);
}

static int bi_wait(int argc, char **argv)
{
    if (argc < 2) {
        jobs_wait_all();
        return 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '%')
            arg++;
        char *end;
        long pid = strtol(arg, &end, 10);
        if (!*arg || *end) {
            sh_error("wait: Illegal number: %s", argv[i]);
            return 2;
        }
        if (jobs_wait((pid_t)pid, &status) < 0)
            status = 127;
    }
    return status;
}

static int bi_jobs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    jobs_list();
    return 0;
}

static const char *const SIGNALS[] = {
    "EXIT", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
    "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS", NULL,
};

static int signal_number(const char *s)
{
    if (isdigit((unsigned char)*s))
        return atoi(s);
    if (!strncmp(s, "SIG", 3))
        s += 3;
    for (int i = 0; SIGNALS[i]; i++)
        if (!strcasecmp(s, SIGNALS[i]))
            return i;
    return -1;
}

static int bi_kill(int argc, char **argv)
{
    int sig = 15, i = 1;
    if (i < argc && !strcmp(argv[i], "-l")) {
        if (i + 1 < argc) {
            int n = atoi(argv[i + 1]);
            if (n > 128)
                n -= 128;
            if (n > 0 && n < 32)
                printf("%s\n", SIGNALS[n]);
            return 0;
        }
        for (int k = 1; SIGNALS[k]; k++)
            printf("%s%c", SIGNALS[k], SIGNALS[k + 1] ? ' ' : '\n');
        return 0;
    }
    if (i < argc && !strcmp(argv[i], "-s") && i + 1 < argc) {
        sig = signal_number(argv[i + 1]);
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--")) {
        sig = signal_number(argv[i] + 1);
        i++;
    }
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (sig < 0) {
        sh_error("kill: invalid signal");
        return 1;
    }
    if (i >= argc) {
        sh_error("kill: usage: kill [-s sigspec | -signum] pid...");
        return 2;
    }
    int status = 0;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '%')
            arg = "0";
        if (kill((pid_t)atoi(arg), sig)) {
            sh_error("kill: %s: %s", argv[i], strerror(errno));
            status = 1;
        }
    }
    return status;
}

static int bi_trap(int argc, char **argv)
{
    if (argc == 1) {
        for (int i = 0; i < 65; i++) {
            if (!sh.traps[i])
                continue;
            printf("trap -- '");
            for (const char *s = sh.traps[i]; *s; s++) {
                if (*s == '\'')
                    fputs("'\\''", stdout);
                else
                    putchar(*s);
            }
            printf("' %s\n", i < 32 ? SIGNALS[i] : "?");
        }
        return 0;
    }
    int i = 1;
    if (!strcmp(argv[i], "--"))
        i++;
    else if (argv[i][0] == '-' && argv[i][1]) {
        sh_error("trap: Illegal option %s", argv[i]);
        if (!sh.interactive)
            sh_exit(2);
        return 2;
    }
    const char *action = argv[i];
    int reset = 0;
    if (action && (i + 1 >= argc || (isdigit((unsigned char)action[0]) && signal_number(action) >= 0))) {
        reset = 1; /* trap SIG (one operand) or trap N...: reset those */
    } else {
        i++;
    }
    if (action && !strcmp(action, "-"))
        reset = 1;
    int status = 0;
    for (; i < argc; i++) {
        int sig = signal_number(argv[i]);
        if (sig < 0 || sig > 64) {
            sh_error("trap: %s: bad trap", argv[i]);
            status = 1;
            continue;
        }
        free(sh.traps[sig]);
        sh.traps[sig] = reset ? NULL : xstrdup(action);
    }
    return status;
}

static int bi_umask(int argc, char **argv)
{
    if (argc < 2) {
        mode_t m = umask(0);
        umask(m);
        printf("%04o\n", (unsigned)m);
        return 0;
    }
    umask((mode_t)strtol(argv[1], NULL, 8));
    return 0;
}

static int describe(const char *name, int verbose)
{
    static const char *const KEYWORDS[] = {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac",
                                           "while", "until", "for", "{", "}", "!", "in", NULL};
    for (int i = 0; KEYWORDS[i]; i++) {
        if (!strcmp(name, KEYWORDS[i])) {
            if (verbose)
                printf("%s is a shell keyword\n", name);
            else
                printf("%s\n", name);
            return 0;
        }
    }
    const char *alias = alias_get(name);
    if (alias) {
        if (verbose)
            printf("%s is an alias for %s\n", name, alias);
        else
            printf("alias %s='%s'\n", name, alias);
        return 0;
    }
    if (func_get(name)) {
        if (verbose)
            printf("%s is a shell function\n", name);
        else
            printf("%s\n", name);
        return 0;
    }
    if (builtin_find(name)) {
        if (verbose)
            printf("%s is a %sshell builtin\n", name, is_special_builtin(name) ? "special " : "");
        else
            printf("%s\n", name);
        return 0;
    }
    char *path = find_in_path(name);
    if (path) {
        if (verbose)
            printf("%s is %s\n", name, path);
        else
            printf("%s\n", path);
        free(path);
        return 0;
    }
    if (verbose)
        printf("%s: not found\n", name);
    return 127;
}

static int bi_type(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++)
        if (describe(argv[i], 1))
            status = 127;
    return status;
}

static int bi_command(int argc, char **argv)
{
    int i = 1, v = 0, V = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-v"))
            v = 1;
        else if (!strcmp(argv[i], "-V"))
            V = 1;
        else if (!strcmp(argv[i], "-p"))
            ;
        else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else
            break;
    }
    if (i >= argc)
        return 0;
    if (v || V) {
        int status = 0;
        for (; i < argc; i++) {
            if (v && func_get(argv[i])) {
                printf("%s\n", argv[i]);
                continue;
            }
            if (describe(argv[i], V))
                status = 127;
        }
        return status == 127 && !V ? 127 : status;
    }
    /* run, skipping functions */
    builtin_fn fn = builtin_find(argv[i]);
    if (fn)
        return fn(argc - i, argv + i);
    pid_t pid;
    char **env = var_environ();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    fflush(stdout);
    int err = posix_spawnp(&pid, argv[i], &fa, NULL, argv + i, env);
    posix_spawn_file_actions_destroy(&fa);
    strv_free(env);
    if (err) {
        sh_error("%s: not found", argv[i]);
        return err == ENOENT ? 127 : 126;
    }
    return wait_pid(pid);
}

static void print_alias(const char *name, const char *value, void *ctx)
{
    (void)ctx;
    printf("%s='%s'\n", name, value);
}

static int bi_alias(int argc, char **argv)
{
    if (argc == 1) {
        alias_each(print_alias, NULL);
        return 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq) {
            char *name = xstrndup(argv[i], eq - argv[i]);
            alias_set(name, eq + 1);
            free(name);
        } else {
            const char *v = alias_get(argv[i]);
            if (v)
                printf("%s='%s'\n", argv[i], v);
            else {
                sh_error("alias: %s not found", argv[i]);
                status = 1;
            }
        }
    }
    return status;
}

static int bi_unalias(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-a")) {
            alias_clear();
            continue;
        }
        if (alias_unset(argv[i]) < 0) {
            sh_error("unalias: %s not found", argv[i]);
            status = 1;
        }
    }
    return status;
}

static int bi_read(int argc, char **argv)
{
    int raw = 0, i = 1;
    const char *prompt = NULL;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-r"))
            raw = 1;
        else if (!strcmp(argv[i], "-p") && i + 1 < argc)
            prompt = argv[++i];
        else if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else
            break;
    }
    if (prompt) {
        fputs(prompt, stderr);
        fflush(stderr);
    }
    /* read byte by byte so that the rest of the input stays for others */
    Str line = {0}, kinds = {0};
    int got_newline = 0;
    char c;
    for (;;) {
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (c == '\\' && !raw) {
            n = read(0, &c, 1);
            if (n <= 0)
                break;
            if (c == '\n')
                continue;
            str_putc(&line, c);
            str_putc(&kinds, 1);
            continue;
        }
        if (c == '\n') {
            got_newline = 1;
            break;
        }
        str_putc(&line, c);
        str_putc(&kinds, 0);
    }
    const char *ifs = var_get("IFS");
    if (!ifs)
        ifs = " \t\n";
    const char *s = line.s ? line.s : "";
    const char *k = kinds.s ? kinds.s : "";
    size_t len = line.len, pos = 0;
    int nvars = argc - i;
    if (nvars == 0) {
        var_set("REPLY", s, 0);
    }
    #define IS_WS(ch) ((ch) == ' ' || (ch) == '\t' || (ch) == '\n')
    #define IS_IFS(idx) (!k[idx] && strchr(ifs, s[idx]) && s[idx])
    while (pos < len && IS_IFS(pos) && IS_WS(s[pos]))
        pos++;
    for (int v = 0; v < nvars; v++) {
        const char *name = argv[i + v];
        Str value = {0};
        if (v == nvars - 1) {
            /* the rest, without trailing IFS whitespace */
            size_t end = len;
            while (end > pos && IS_IFS(end - 1) && IS_WS(s[end - 1]))
                end--;
            str_putn(&value, s + pos, end - pos);
            pos = len;
        } else {
            while (pos < len && !IS_IFS(pos))
                str_putc(&value, s[pos++]);
            /* skip the delimiter: whitespace, at most one non-white IFS char, whitespace */
            while (pos < len && IS_IFS(pos) && IS_WS(s[pos]))
                pos++;
            if (pos < len && IS_IFS(pos) && !IS_WS(s[pos])) {
                pos++;
                while (pos < len && IS_IFS(pos) && IS_WS(s[pos]))
                    pos++;
            }
        }
        char *val = str_take(&value);
        if (var_set(name, val, 0) < 0) {
            free(val);
            free(line.s);
            free(kinds.s);
            return 2;
        }
        free(val);
    }
    free(line.s);
    free(kinds.s);
    return got_newline ? 0 : 1;
}

static int bi_getopts(int argc, char **argv)
{
    if (argc < 3) {
        sh_error("getopts: usage: getopts optstring var [arg...]");
        return 2;
    }
    const char *optstring = argv[1];
    const char *var = argv[2];
    char **args = argc > 3 ? argv + 3 : sh.params;
    int nargs = argc > 3 ? argc - 3 : sh.nparams;
    const char *oi = var_get("OPTIND");
    int optind = oi ? atoi(oi) : 1;
    static int optpos = 1;
    static int last_optind = 0;
    if (optind != last_optind)
        optpos = 1;
    int silent = optstring[0] == ':';
    char buf[16];
    if (optind < 1 || optind > nargs || args[optind - 1][0] != '-' || !args[optind - 1][1] ||
        !strcmp(args[optind - 1], "--")) {
        if (optind <= nargs && args[optind - 1] && !strcmp(args[optind - 1], "--"))
            optind++;
        var_set(var, "?", 0);
        snprintf(buf, sizeof buf, "%d", optind);
        var_set("OPTIND", buf, 0);
        var_unset("OPTARG");
        last_optind = optind;
        optpos = 1;
        return 1;
    }
    const char *arg = args[optind - 1];
    char c = arg[optpos];
    const char *spec = strchr(optstring + silent, c);
    int status = 0;
    if (!spec || c == ':') {
        buf[0] = c;
        buf[1] = 0;
        if (silent) {
            var_set("OPTARG", buf, 0);
        } else {
            sh_error("Illegal option -%c", c);
            var_unset("OPTARG");
        }
        var_set(var, "?", 0);
    } else if (spec[1] == ':') {
        if (arg[optpos + 1]) {
            var_set("OPTARG", arg + optpos + 1, 0);
            optind++;
            optpos = 0;
        } else if (optind < nargs) {
            var_set("OPTARG", args[optind], 0);
            optind += 2;
            optpos = 0;
        } else {
            buf[0] = c;
            buf[1] = 0;
            if (silent) {
                var_set(var, ":", 0);
                var_set("OPTARG", buf, 0);
            } else {
                sh_error("No arg for -%c option", c);
                var_set(var, "?", 0);
                var_unset("OPTARG");
            }
            optind++;
            optpos = 1;
            snprintf(buf, sizeof buf, "%d", optind);
            var_set("OPTIND", buf, 0);
            last_optind = optind;
            return 0;
        }
        buf[0] = c;
        buf[1] = 0;
        var_set(var, buf, 0);
    } else {
        buf[0] = c;
        buf[1] = 0;
        var_set(var, buf, 0);
        var_unset("OPTARG");
    }
    if (optpos && arg[optpos + 1]) {
        optpos++;
    } else if (optpos) {
        optind++;
        optpos = 1;
    } else {
        optpos = 1;
    }
    snprintf(buf, sizeof buf, "%d", optind);
    var_set("OPTIND", buf, 0);
    last_optind = optind;
    return status;
}

/* Restores a parent's state in a subshell: $$, $!, $? and options (see exec.c). */
static int bi_sh_state(int argc, char **argv)
{
    if (argc < 6)
        return 0;
    sh.rootpid = atoi(argv[1]);
    sh.lastbg = atoi(argv[2]);
    /* inside the parent's loop, break and continue end this subshell (as after fork) */
    sh.loop_depth = atoi(argv[4]);
    const char *opts = argv[5];
    sh.opt_e = strchr(opts, 'e') != NULL;
    sh.opt_u = strchr(opts, 'u') != NULL;
    sh.opt_x = strchr(opts, 'x') != NULL;
    sh.opt_f = strchr(opts, 'f') != NULL;
    sh.opt_C = strchr(opts, 'C') != NULL;
    sh.opt_a = strchr(opts, 'a') != NULL;
    return atoi(argv[3]);
}

/* hash: commands are looked up on every run here, so there is no cache to show or clear. */
static int bi_hash(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        char *path = find_in_path(argv[i]);
        if (!path) {
            sh_error("hash: %s: not found", argv[i]);
            status = 1;
        }
        free(path);
    }
    return status;
}

static int bi_true(int argc, char **argv)
{
    return bi_colon(argc, argv);
}

static const struct {
    const char *name;
    builtin_fn fn;
    int special;
} BUILTINS[] = {
    {":", bi_colon, 1}, {".", bi_dot, 1}, {"break", bi_break, 1}, {"continue", bi_continue, 1},
    {"eval", bi_eval, 1}, {"exec", bi_exec, 1}, {"exit", bi_exit, 1}, {"export", bi_export, 1},
    {"readonly", bi_readonly, 1}, {"return", bi_return, 1}, {"set", bi_set, 1}, {"shift", bi_shift, 1},
    {"trap", bi_trap, 1}, {"unset", bi_unset, 1}, {"__sh_state", bi_sh_state, 1},
    {"alias", bi_alias, 0}, {"cd", bi_cd, 0}, {"command", bi_command, 0}, {"echo", bi_echo, 0},
    {"false", bi_false, 0}, {"getopts", bi_getopts, 0}, {"hash", bi_hash, 0}, {"jobs", bi_jobs, 0}, {"kill", bi_kill, 0},
    {"local", bi_local, 0}, {"printf", printf_builtin, 0}, {"pwd", bi_pwd, 0}, {"read", bi_read, 0},
    {"test", test_builtin, 0}, {"[", test_builtin, 0}, {"true", bi_true, 0}, {"type", bi_type, 0},
    {"umask", bi_umask, 0}, {"unalias", bi_unalias, 0}, {"wait", bi_wait, 0},
    {NULL, NULL, 0},
};

builtin_fn builtin_find(const char *name)
{
    for (int i = 0; BUILTINS[i].name; i++)
        if (!strcmp(BUILTINS[i].name, name))
            return BUILTINS[i].fn;
    return NULL;
}

int is_special_builtin(const char *name)
{
    for (int i = 0; BUILTINS[i].name; i++)
        if (!strcmp(BUILTINS[i].name, name))
            return BUILTINS[i].special;
    return 0;
}

const char *builtin_name_at(int i)
{
    int n = 0;
    for (int k = 0; BUILTINS[k].name; k++) {
        if (BUILTINS[k].name[0] == '_')
            continue;
        if (n++ == i)
            return BUILTINS[k].name;
    }
    return NULL;
}
