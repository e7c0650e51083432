/* sh's entry: options, the input loop (script, -c string, stdin, or a terminal). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lineedit.h"
#include "sh.h"

extern char **environ;

static void usage(void)
{
    dprintf(2, "usage: sh [-eufxvC] [-c command [name [arg...]] | file [arg...]]\n");
    exit(2);
}

/* \u and \h as the shell found them at its first prompt, as bash keeps them: a
   prompt is drawn after every command, and each lookup reads a file. */
static const char *prompt_user(void)
{
    static char *user;
    if (!user) {
        struct passwd *pw = getpwuid(getuid());
        const char *name = var_get("USER");
        user = xstrdup(pw ? pw->pw_name : name ? name : "root");
    }
    return user;
}

static const char *prompt_host(void)
{
    static char *host;
    if (!host) {
        char name[256] = "localhost";
        gethostname(name, sizeof name);
        char *dot = strchr(name, '.');
        if (dot)
            *dot = 0;
        host = xstrdup(name);
    }
    return host;
}

/* PS1's escapes: \u user, \h host, \w cwd (~ for HOME), \W its last part, \$ # or $; then $ expansions. */
char *prompt_string(const char *ps)
{
    const char *p = ps;
    Str out = {0};
    char cwd[PATH_MAX];
    const char *pwd = var_get("PWD");
    if (!pwd)
        pwd = getcwd(cwd, sizeof cwd) ? cwd : "?";
    const char *home = var_get("HOME");
    for (; *p; p++) {
        if (*p != '\\' || !p[1]) {
            str_putc(&out, *p);
            continue;
        }
        p++;
        switch (*p) {
        case 'u':
            str_puts(&out, prompt_user());
            break;
        case 'h':
            str_puts(&out, prompt_host());
            break;
        case 'w':
            if (home && *home && strcmp(home, "/") && !strncmp(pwd, home, strlen(home)) &&
                (pwd[strlen(home)] == 0 || pwd[strlen(home)] == '/')) {
                str_putc(&out, '~');
                str_puts(&out, pwd + strlen(home));
            } else {
                str_puts(&out, pwd);
            }
            break;
        case 'W': {
            const char *slash = strrchr(pwd, '/');
            str_puts(&out, slash && slash[1] ? slash + 1 : pwd);
            break;
        }
        case '$':
            str_putc(&out, getuid() == 0 ? '#' : '$');
            break;
        case 'n':
            str_putc(&out, '\n');
            break;
        case '\\':
            str_putc(&out, '\\');
            break;
        default:
            str_putc(&out, '\\');
            str_putc(&out, *p);
        }
    }
    char *escaped = str_take(&out);
    if (!strchr(escaped, '$') && !strchr(escaped, '`'))
        return escaped;
    /* parameter expansion of what the escapes produced, backslashes kept */
    Str quoted = {0};
    for (const char *c = escaped; *c; c++) {
        if (*c == '\\')
            str_putc(&quoted, '\\');
        str_putc(&quoted, *c);
    }
    char *text = str_take(&quoted);
    char *expanded = expand_heredoc(text);
    free(text);
    if (!expanded)
        return escaped;
    free(escaped);
    return expanded;
}

/*
 * Shell integration marks (OSC 133, as VS Code and other terminals read them),
 * written when BERTH_SHELL_INTEGRATION is set: A before the prompt, B at its
 * end, C when a command line has been read, D;STATUS when it has finished. They let a
 * terminal find each command's output and exit status without parsing text.
 */
static int command_marked;

static int shell_integration(void)
{
    const char *on = var_get("BERTH_SHELL_INTEGRATION");
    return on && *on;
}

static void shell_mark(const char *mark)
{
    if (!shell_integration())
        return;
    fflush(stdout);
    dprintf(1, "\033]133;%s\007", mark);
}

/* Reads more input into buf; returns 0 at end of input. */
static int read_more(int fd, Str *buf, int interactive, int continuation)
{
    if (interactive) {
        if (!continuation) {
            if (command_marked) {
                char done[32];
                snprintf(done, sizeof done, "D;%d", sh.status);
                shell_mark(done);
                command_marked = 0;
            }
            shell_mark("A");
        }
        char *prompt = prompt_string(var_get(continuation ? "PS2" : "PS1") ? var_get(continuation ? "PS2" : "PS1") : (continuation ? "> " : "$ "));
        if (!continuation && shell_integration()) {
            /* B ends the prompt; the line editor redraws it, and the mark, as the line changes */
            char *marked = xmalloc(strlen(prompt) + 16);
            sprintf(marked, "%s\033]133;B\007", prompt);
            free(prompt);
            prompt = marked;
        }
        char *line = NULL;
        le_status st = le_readline(prompt, &line);
        free(prompt);
        if (st == LE_EOF)
            return 0;
        if (st == LE_INTERRUPT) {
            buf->len = 0;
            if (buf->s)
                buf->s[0] = 0;
            sh.status = 130;
            return -1;
        }
        if (*line && !continuation)
            le_history_add(line);
        if (!continuation) {
            shell_mark("C");
            command_marked = 1;
        }
        str_puts(buf, line);
        str_putc(buf, '\n');
        free(line);
        return 1;
    }
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        str_putn(buf, chunk, n);
        return 1;
    }
}

/* Whether text ends in an unescaped backslash and a newline: a line continued on the next. */
static int ends_in_line_continuation(const char *text, size_t len)
{
    if (len < 2 || text[len - 1] != '\n')
        return 0;
    size_t backslashes = 0;
    while (backslashes < len - 1 && text[len - 2 - backslashes] == '\\')
        backslashes++;
    return backslashes % 2 == 1;
}

/* Runs commands from fd (a script or stdin), a terminal when interactive. */
static int run_input(int fd, int interactive)
{
    Str buf = {0};
    str_puts(&buf, "");
    size_t pos = 0;
    int line = 1;
    int at_eof = 0;
    int continuation = 0;
    for (;;) {
        /* parse only whole lines unless the input has ended */
        size_t end = buf.len;
        if (!at_eof) {
            while (end > pos && buf.s[end - 1] != '\n')
                end--;
        }
        int r = PARSE_EOF;
        Node *n = NULL;
        char err[256] = "";
        int parse_line = line;
        if (!at_eof && ends_in_line_continuation(buf.s + pos, end - pos)) {
            /* the command goes on in input not read yet (a chunk can end between the two lines) */
            continuation = 1;
        } else if (end > pos) {
            char saved = buf.s[end];
            buf.s[end] = 0;
            size_t p = pos;
            r = parse_command(buf.s, &p, &parse_line, &n, err, sizeof err);
            buf.s[end] = saved;
            if (r == PARSE_OK || r == PARSE_EMPTY) {
                pos = p;
                line = parse_line;
                continuation = 0;
                if (r == PARSE_OK && !sh.opt_n) {
                    if (interactive) {
                        fflush(stdout);
                        foreground_signals_reset();
                    }
                    run_node(n);
                    if (sh.interrupted)
                        sh.status = 128 + SIGINT;
                }
                /* drop consumed input */
                if (pos > 65536) {
                    memmove(buf.s, buf.s + pos, buf.len - pos + 1);
                    buf.len -= pos;
                    pos = 0;
                }
                continue;
            }
            if (r == PARSE_EOF) {
                pos = p;
                line = parse_line;
            }
            if (r == PARSE_ERROR || (r == PARSE_INCOMPLETE && at_eof)) {
                sh.line = parse_line;
                sh_error("syntax error: %s", err);
                sh.status = 2;
                if (!interactive)
                    sh_exit(2);
                pos = buf.len;
                continuation = 0;
                continue;
            }
            if (r == PARSE_INCOMPLETE)
                continuation = 1;
        }
        if (at_eof)
            break;
        int more = read_more(fd, &buf, interactive, continuation && end > pos);
        if (more < 0) {
            /* Ctrl-C at the prompt: drop what was typed */
            pos = buf.len = 0;
            continuation = 0;
            continue;
        }
        if (more == 0) {
            at_eof = 1;
            if (interactive && !(end > pos))
                break;
        }
    }
    free(buf.s);
    return sh.status;
}

int main(int argc, char **argv)
{
    vars_init(environ);
    sh.rootpid = getpid();
    sh.name = argv[0];
    /* Looked up in PATH only when first needed (shell_self): most shells never
       start another, and the lookup costs a stat per PATH entry. */
    sh.self_argv0 = argv[0];
    const char *search = var_get("PATH");
    sh.self_search = search ? xstrdup(search) : NULL;
    if (!var_get("IFS"))
        var_set("IFS", " \t\n", 0);
    if (!var_get("PS2"))
        var_set("PS2", "> ", 0);
    if (!var_get("PS4"))
        var_set("PS4", "+ ", 0);
    char buf[32];
    snprintf(buf, sizeof buf, "%d", (int)getppid());
    var_set("PPID", buf, 0);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) {
        const char *pwd = var_get("PWD");
        if (!pwd || strcmp(pwd, cwd))
            var_set("PWD", cwd, V_EXPORT);
    }
    var_set("OPTIND", "1", 0);

    int i = 1;
    const char *command = NULL;
    int force_interactive = 0, read_stdin = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' && a[0] != '+')
            break;
        if (!strcmp(a, "--") || !strcmp(a, "-")) {
            i++;
            break;
        }
        int on = a[0] == '-';
        for (const char *c = a + 1; *c; c++) {
            switch (*c) {
            case 'c': command = ""; break;
            case 'i': force_interactive = on; break;
            case 's': read_stdin = 1; break;
            case 'e': sh.opt_e = on; break;
            case 'u': sh.opt_u = on; break;
            case 'x': sh.opt_x = on; break;
            case 'f': sh.opt_f = on; break;
            case 'n': sh.opt_n = on; break;
            case 'v': sh.opt_v = on; break;
            case 'C': sh.opt_C = on; break;
            case 'a': sh.opt_a = on; break;
            case 'm': sh.opt_m = on; break;
            case 'l': break;
            case 'o': {
                /* -o NAME: the long names set accepts */
                static const struct { const char *name; int *flag; } LONG[] = {
                    {"errexit", &sh.opt_e}, {"nounset", &sh.opt_u}, {"xtrace", &sh.opt_x}, {"noglob", &sh.opt_f},
                    {"noexec", &sh.opt_n}, {"verbose", &sh.opt_v}, {"noclobber", &sh.opt_C}, {"allexport", &sh.opt_a},
                };
                if (i + 1 < argc) {
                    i++;
                    for (size_t k = 0; k < sizeof LONG / sizeof LONG[0]; k++)
                        if (!strcmp(argv[i], LONG[k].name))
                            *LONG[k].flag = on;
                }
                break;
            }
            default:
                dprintf(2, "sh: Illegal option -%c\n", *c);
                usage();
            }
        }
    }
    if (command) {
        if (i >= argc) {
            dprintf(2, "sh: -c requires an argument\n");
            return 2;
        }
        command = argv[i++];
        if (i < argc)
            sh.name = argv[i++];
        sh.params = argv + i;
        sh.nparams = argc - i;
        sh.line = 1;
        int status = run_string(command, sh.name);
        sh_exit(sh.exiting ? sh.status : status);
    }
    if (i < argc && !read_stdin) {
        const char *file = argv[i++];
        int fd = open(file, O_RDONLY);
        if (fd < 0) {
            dprintf(2, "sh: 0: cannot open %s: No such file\n", file);
            return 127;
        }
        sh.name = (char *)file;
        sh.params = argv + i;
        sh.nparams = argc - i;
        sh.line = 1;
        run_input(fd, 0);
        close(fd);
        sh_exit(sh.status);
    }
    sh.params = argv + i;
    sh.nparams = argc - i;
    sh.interactive = force_interactive || (isatty(0) && isatty(1));
    if (sh.interactive) {
        if (!var_get("PS1"))
            var_set("PS1", getuid() == 0 ? "\\u@\\h:\\w# " : "\\u@\\h:\\w$ ", 0);
        le_set_completer(shell_completer);
        /* Ctrl-C on a terminal: this shell stops its foreground job */
        if (isatty(0))
            foreground_signals_init();
    }
    sh.line = 1;
    run_input(0, sh.interactive);
    if (sh.interactive)
        write(1, "exit\n", 5);
    sh_exit(sh.status);
}
