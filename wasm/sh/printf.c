/* printf and test: the two builtins with grammars of their own. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sh.h"

int hex_escape(const char *s, char *byte)
{
    int digits = 0, value = 0;
    for (; digits < 2 && isxdigit((unsigned char)s[digits]); digits++)
        value = value * 16 + (isdigit((unsigned char)s[digits]) ? s[digits] - '0' : tolower((unsigned char)s[digits]) - 'a' + 10);
    *byte = (char)value;
    return digits;
}

/* Writes s with printf's backslash escapes; \c (for %b) stops everything. Returns 1 on \c. */
static int escapes(Str *out, const char *s, int percent_b)
{
    for (; *s; s++) {
        if (*s != '\\' || !s[1]) {
            str_putc(out, *s);
            continue;
        }
        s++;
        switch (*s) {
        case 'a': str_putc(out, '\a'); break;
        case 'b': str_putc(out, '\b'); break;
        case 'c':
            if (percent_b)
                return 1;
            str_puts(out, "\\c");
            break;
        case 'e': str_putc(out, 27); break;
        case 'f': str_putc(out, '\f'); break;
        case 'n': str_putc(out, '\n'); break;
        case 'r': str_putc(out, '\r'); break;
        case 't': str_putc(out, '\t'); break;
        case 'v': str_putc(out, '\v'); break;
        case '\\': str_putc(out, '\\'); break;
        case '"': str_putc(out, '"'); break;
        case 'x': {
            /* as bash's and busybox ash's printf read it (dash prints it as is) */
            char byte;
            int digits = hex_escape(s + 1, &byte);
            if (digits) {
                str_putc(out, byte);
                s += digits;
            } else
                str_puts(out, "\\x");
            break;
        }
        case '\'': str_putc(out, '\''); break;
        default:
            if (*s >= '0' && *s <= '7') {
                int v = 0, k = 0;
                int max = percent_b && *s == '0' ? 4 : 3;
                while (k < max && *s >= '0' && *s <= '7') {
                    v = v * 8 + (*s - '0');
                    s++;
                    k++;
                }
                s--;
                str_putc(out, (char)v);
            } else {
                str_putc(out, '\\');
                str_putc(out, *s);
            }
        }
    }
    return 0;
}

/*
 * Text for %s and %b, padded and cut as the conversion spec ("%-5.2") says:
 * by its length, since %b's may hold NUL bytes (\0), and without a bound.
 */
static void put_text(Str *out, const char *spec, const char *text, size_t len)
{
    const char *p = spec + 1;
    int left = 0;
    while (*p && strchr("-+ #0", *p))
        left |= *p++ == '-';
    char *end;
    long width = strtol(p, &end, 10);
    if (width < 0) {
        left = 1;
        width = -width;
    }
    if (*end == '.') {
        long precision = strtol(end + 1, NULL, 10);
        if (precision >= 0 && (size_t)precision < len)
            len = precision;
    }
    size_t pad = (size_t)width > len ? (size_t)width - len : 0;
    for (size_t k = 0; !left && k < pad; k++)
        str_putc(out, ' ');
    str_putn(out, text, len);
    for (size_t k = 0; left && k < pad; k++)
        str_putc(out, ' ');
}

/*
 * A numeric argument, as dash reads it: "" is 0; 'c or "c is the character's
 * code ('' alone is 0); otherwise a C integer, 64 bits, unsigned for %u %o %x
 * %X (where "-1" is the largest value, as strtoumax has it); out of range
 * gives the nearest value and a failed status.
 */
static int char_code(const char *s, unsigned long long *v)
{
    if (!*s) {
        *v = 0;
        return 1;
    }
    if (s[0] == '\'' || s[0] == '"') {
        *v = (unsigned char)s[1];
        return 1;
    }
    return 0;
}

static void number_error(const char *s, const char *end, int *bad)
{
    sh_error("printf: %s: %s", s, *end ? "expected numeric value" : "Result too large");
    *bad = 1;
}

static long long signed_arg(const char *s, int *bad)
{
    unsigned long long code;
    if (char_code(s, &code))
        return (long long)code;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (*end || errno)
        number_error(s, end, bad);
    return v;
}

static unsigned long long unsigned_arg(const char *s, int *bad)
{
    unsigned long long code;
    if (char_code(s, &code))
        return code;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end || errno)
        number_error(s, end, bad);
    return v;
}

int printf_builtin(int argc, char **argv)
{
    int i = 1;
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
        /* printf takes no options (dash): a format starting with '-' needs "--" */
        sh_error("printf: Illegal option -%c", argv[i][1]);
        return 2;
    }
    if (i >= argc) {
        sh_error("printf: usage: printf format [arg ...]");
        return 2;
    }
    const char *format = argv[i++];
    Str out = {0};
    int bad = 0, stop = 0;
    do {
        int consumed = 0;
        for (const char *f = format; *f && !stop; f++) {
            if (*f == '\\') {
                const char *start = f;
                Str one = {0};
                /* a single escape */
                if (f[1] >= '0' && f[1] <= '7') {
                    int k = 0;
                    f++;
                    while (k < 3 && *f >= '0' && *f <= '7')
                        f++, k++;
                    f--;
                } else if (f[1] == 'x') {
                    f++;
                    for (int k = 0; k < 2 && isxdigit((unsigned char)f[1]); k++)
                        f++;
                } else if (f[1]) {
                    f++;
                }
                char *piece = xstrndup(start, f - start + 1);
                escapes(&one, piece, 0);
                free(piece);
                str_putn(&out, one.s, one.len);
                free(one.s);
                continue;
            }
            if (*f != '%') {
                str_putc(&out, *f);
                continue;
            }
            if (f[1] == '%') {
                str_putc(&out, '%');
                f++;
                continue;
            }
            /* a conversion: %[flags][width][.precision]conv */
            char spec[64];
            size_t n = 0;
            spec[n++] = '%';
            f++;
            while (*f && strchr("-+ #0", *f) && n < 40)
                spec[n++] = *f++;
            if (*f == '*') {
                n += snprintf(spec + n, sizeof spec - n, "%lld", signed_arg(i < argc ? argv[i++] : "0", &bad));
                consumed = 1;
                f++;
            } else
                while (isdigit((unsigned char)*f) && n < 50)
                    spec[n++] = *f++;
            if (*f == '.') {
                spec[n++] = *f++;
                if (*f == '*') {
                    n += snprintf(spec + n, sizeof spec - n, "%lld", signed_arg(i < argc ? argv[i++] : "0", &bad));
                    consumed = 1;
                    f++;
                } else
                    while (isdigit((unsigned char)*f) && n < 60)
                        spec[n++] = *f++;
            }
            char conv = *f;
            if (!conv) {
                sh_error("printf: %%: invalid directive");
                free(out.s);
                return 1;
            }
            const char *arg = i < argc ? argv[i++] : NULL;
            if (arg)
                consumed = 1;
            char buf[4096];
            switch (conv) {
            case 's':
                spec[n] = 0;
                put_text(&out, spec, arg ? arg : "", arg ? strlen(arg) : 0);
                break;
            case 'b': {
                Str b = {0};
                stop = escapes(&b, arg ? arg : "", 1);
                spec[n] = 0;
                put_text(&out, spec, b.s ? b.s : "", b.len);
                free(b.s);
                break;
            }
            case 'c':
                spec[n++] = 'c';
                spec[n] = 0;
                if (arg && *arg) {
                    snprintf(buf, sizeof buf, spec, arg[0]);
                    str_puts(&out, buf);
                } else if (spec[1] != 'c') {
                    /* width with an empty char */
                    snprintf(buf, sizeof buf, spec, 0);
                    str_putn(&out, buf, strlen(buf) + 0);
                }
                break;
            case 'd':
            case 'i':
                spec[n++] = 'l';
                spec[n++] = 'l';
                spec[n++] = 'd';
                spec[n] = 0;
                snprintf(buf, sizeof buf, spec, signed_arg(arg ? arg : "0", &bad));
                str_puts(&out, buf);
                break;
            case 'u':
            case 'o':
            case 'x':
            case 'X':
                spec[n++] = 'l';
                spec[n++] = 'l';
                spec[n++] = conv;
                spec[n] = 0;
                snprintf(buf, sizeof buf, spec, unsigned_arg(arg ? arg : "0", &bad));
                str_puts(&out, buf);
                break;
            case 'e':
            case 'E':
            case 'f':
            case 'F':
            case 'g':
            case 'G':
                spec[n++] = conv;
                spec[n] = 0;
                snprintf(buf, sizeof buf, spec, arg ? strtod(arg, NULL) : 0.0);
                str_puts(&out, buf);
                break;
            default:
                sh_error("printf: %%%c: invalid directive", conv);
                free(out.s);
                return 1;
            }
        }
        if (!consumed)
            break;
    } while (i < argc && !stop);
    if (out.len)
        fwrite(out.s, 1, out.len, stdout);
    free(out.s);
    fflush(stdout);
    return bad ? 1 : 0;
}

/* ---- test / [ ---- */

typedef struct {
    char **argv;
    int pos, argc;
    int error;
} Test;

static int test_or(Test *t);

static int unary_test(const char *op, const char *arg)
{
    struct stat st;
    switch (op[1]) {
    case 'n': return *arg != 0;
    case 'z': return *arg == 0;
    case 'e': return stat(arg, &st) == 0;
    case 'f': return stat(arg, &st) == 0 && S_ISREG(st.st_mode);
    case 'd': return stat(arg, &st) == 0 && S_ISDIR(st.st_mode);
    case 's': return stat(arg, &st) == 0 && st.st_size > 0;
    case 'r': return access(arg, R_OK) == 0;
    case 'w': return access(arg, W_OK) == 0;
    case 'x': return access(arg, X_OK) == 0;
    case 'h':
    case 'L': return lstat(arg, &st) == 0 && S_ISLNK(st.st_mode);
    case 'p': return stat(arg, &st) == 0 && S_ISFIFO(st.st_mode);
    case 'c': return stat(arg, &st) == 0 && S_ISCHR(st.st_mode);
    case 'b': return stat(arg, &st) == 0 && S_ISBLK(st.st_mode);
    case 'S': return stat(arg, &st) == 0 && S_ISSOCK(st.st_mode);
    case 'g': return stat(arg, &st) == 0 && (st.st_mode & S_ISGID);
    case 'u': return stat(arg, &st) == 0 && (st.st_mode & S_ISUID);
    case 'k': return stat(arg, &st) == 0 && (st.st_mode & S_ISVTX);
    case 't': return isatty(atoi(arg));
    case 'G': return stat(arg, &st) == 0 && st.st_gid == getegid();
    case 'O': return stat(arg, &st) == 0 && st.st_uid == geteuid();
    }
    return 0;
}

static int is_unary(const char *s)
{
    return s[0] == '-' && s[1] && !s[2] && strchr("nzefdsrwxhLpcbSguktGO", s[1]);
}

static int is_binary(const char *s)
{
    static const char *const OPS[] = {"=", "!=", "==", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "<", ">", NULL};
    for (int i = 0; OPS[i]; i++)
        if (!strcmp(s, OPS[i]))
            return 1;
    return 0;
}

static long long test_number(Test *t, const char *s)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (!*s || *end) {
        sh_error("test: %s: bad number", s);
        t->error = 1;
    }
    return v;
}

static int binary_test(Test *t, const char *a, const char *op, const char *b)
{
    if (!strcmp(op, "=") || !strcmp(op, "=="))
        return !strcmp(a, b);
    if (!strcmp(op, "!="))
        return strcmp(a, b) != 0;
    if (!strcmp(op, "<"))
        return strcmp(a, b) < 0;
    if (!strcmp(op, ">"))
        return strcmp(a, b) > 0;
    if (!strcmp(op, "-nt") || !strcmp(op, "-ot") || !strcmp(op, "-ef")) {
        struct stat sa, sb;
        int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
        if (op[1] == 'e')
            return ha && hb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
        if (op[1] == 'n')
            return ha && (!hb || sa.st_mtime > sb.st_mtime);
        return hb && (!ha || sa.st_mtime < sb.st_mtime);
    }
    long long x = test_number(t, a), y = test_number(t, b);
    if (!strcmp(op, "-eq")) return x == y;
    if (!strcmp(op, "-ne")) return x != y;
    if (!strcmp(op, "-lt")) return x < y;
    if (!strcmp(op, "-le")) return x <= y;
    if (!strcmp(op, "-gt")) return x > y;
    return x >= y;
}

static int test_primary(Test *t)
{
    if (t->pos >= t->argc) {
        t->error = 1;
        sh_error("test: argument expected");
        return 0;
    }
    char *a = t->argv[t->pos];
    if (!strcmp(a, "(") && t->pos + 1 < t->argc) {
        t->pos++;
        int v = test_or(t);
        if (t->pos >= t->argc || strcmp(t->argv[t->pos], ")")) {
            if (!t->error)
                sh_error("test: closing paren expected");
            t->error = 1;
            return 0;
        }
        t->pos++;
        return v;
    }
    if (t->pos + 2 < t->argc + 0 && is_binary(t->argv[t->pos + 1])) {
        int v = binary_test(t, a, t->argv[t->pos + 1], t->argv[t->pos + 2]);
        t->pos += 3;
        return v;
    }
    if (is_unary(a) && t->pos + 1 < t->argc) {
        int v = unary_test(a, t->argv[t->pos + 1]);
        t->pos += 2;
        return v;
    }
    t->pos++;
    return *a != 0;
}

static int test_not(Test *t)
{
    if (t->pos < t->argc && !strcmp(t->argv[t->pos], "!") && t->pos + 1 < t->argc) {
        t->pos++;
        return !test_not(t);
    }
    return test_primary(t);
}

static int test_and(Test *t)
{
    int v = test_not(t);
    while (!t->error && t->pos < t->argc && !strcmp(t->argv[t->pos], "-a")) {
        t->pos++;
        int w = test_not(t);
        v = v && w;
    }
    return v;
}

static int test_or(Test *t)
{
    int v = test_and(t);
    while (!t->error && t->pos < t->argc && !strcmp(t->argv[t->pos], "-o")) {
        t->pos++;
        int w = test_and(t);
        v = v || w;
    }
    return v;
}

int test_builtin(int argc, char **argv)
{
    if (!strcmp(argv[0], "[")) {
        if (strcmp(argv[argc - 1], "]")) {
            sh_error("[: missing ]");
            return 2;
        }
        argc--;
    }
    Test t = {argv + 1, 0, argc - 1, 0};
    if (t.argc == 0)
        return 1;
    int v;
    /* POSIX's rules by argument count come first */
    if (t.argc == 1)
        v = *t.argv[0] != 0;
    else if (t.argc == 2 && !strcmp(t.argv[0], "!"))
        v = !*t.argv[1];
    else if (t.argc == 2 && is_unary(t.argv[0]))
        v = unary_test(t.argv[0], t.argv[1]);
    else if (t.argc == 3 && is_binary(t.argv[1]))
        v = binary_test(&t, t.argv[0], t.argv[1], t.argv[2]);
    else if (t.argc == 3 && !strcmp(t.argv[0], "!")) {
        t.pos = 1;
        v = !test_or(&t);
    } else {
        v = test_or(&t);
        if (!t.error && t.pos < t.argc) {
            sh_error("test: unexpected operator");
            t.error = 1;
        }
    }
    if (t.error)
        return 2;
    return v ? 0 : 1;
}
