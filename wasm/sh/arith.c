/*
 * $(( )) arithmetic: C's integer expressions on 64 bits (as on a 64-bit Linux), with variables by name
 * (an unset or empty variable is 0, any other value must be a number),
 * assignment operators, ?: and short-circuit && ||.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

typedef struct {
    const char *s;
    int skip;  /* evaluating a branch that does not count: no side effects, no errors */
    int error;
} Arith;

static long long assignment(Arith *a);

static void blanks(Arith *a)
{
    while (isspace((unsigned char)*a->s))
        a->s++;
}

static void error(Arith *a, const char *msg)
{
    if (!a->error)
        sh_error("arithmetic expression: %s: \"%s\"", msg, a->s);
    a->error = 1;
}

static int accept(Arith *a, const char *op)
{
    blanks(a);
    size_t n = strlen(op);
    if (strncmp(a->s, op, n))
        return 0;
    /* do not take "<" out of "<<" or "<=", nor "=" out of "==" */
    char next = a->s[n];
    if ((n == 1 && strchr("<>=!&|*/%+-^", op[0]) && next == '=' && strcmp(op, "=")) ||
        (!strcmp(op, "=") && next == '=') || (!strcmp(op, "<") && next == '<') || (!strcmp(op, ">") && next == '>') ||
        (!strcmp(op, "&") && next == '&') || (!strcmp(op, "|") && next == '|') ||
        (!strcmp(op, "<<") && next == '=') || (!strcmp(op, ">>") && next == '='))
        return 0;
    a->s += n;
    return 1;
}

/*
 * A variable's value, as dash reads it: a number (C syntax, blanks around it
 * allowed), not an expression; unset or empty is 0, even under set -u.
 */
static long long var_value(Arith *a, const char *name)
{
    const char *v = var_get(name);
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    long long r = strtoll(v, &end, 0);
    while (isspace((unsigned char)*end))
        end++;
    if ((*end || errno == ERANGE) && !a->skip) {
        if (!a->error)
            sh_error("Illegal number: %s", v);
        a->error = 1;
    }
    return r;
}

static long long primary(Arith *a)
{
    blanks(a);
    if (a->error)
        return 0;
    if (accept(a, "(")) {
        long long v = assignment(a);
        if (!accept(a, ")"))
            error(a, "expecting ')'");
        return v;
    }
    if (isdigit((unsigned char)*a->s)) {
        char *end;
        long long v;
        if (a->s[0] == '0' && (a->s[1] == 'x' || a->s[1] == 'X'))
            v = strtoll(a->s + 2, &end, 16);
        else if (a->s[0] == '0')
            v = strtoll(a->s, &end, 8);
        else
            v = strtoll(a->s, &end, 10);
        if (isalnum((unsigned char)*end) || *end == '_') {
            error(a, "bad number");
            return 0;
        }
        a->s = end;
        return v;
    }
    if (isalpha((unsigned char)*a->s) || *a->s == '_') {
        const char *start = a->s;
        while (isalnum((unsigned char)*a->s) || *a->s == '_')
            a->s++;
        char *name = xstrndup(start, a->s - start);
        long long v = var_value(a, name);
        free(name);
        return v;
    }
    error(a, *a->s ? "syntax error" : "expecting primary");
    return 0;
}

static long long unary(Arith *a)
{
    blanks(a);
    if (accept(a, "+"))
        return unary(a);
    if (accept(a, "-"))
        return -unary(a);
    if (accept(a, "!"))
        return !unary(a);
    if (accept(a, "~"))
        return ~unary(a);
    return primary(a);
}

static long long binary(Arith *a, int level);

/* levels, loosest first: || && | ^ & ==,!= <,>,<=,>= <<,>> +,- *,/,% */
static const char *const OPS[][5] = {
    {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<=", ">=", "<", ">"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
};
#define LEVELS 10

static long long apply(Arith *a, const char *op, long long l, long long r)
{
    if (!strcmp(op, "|")) return l | r;
    if (!strcmp(op, "^")) return l ^ r;
    if (!strcmp(op, "&")) return l & r;
    if (!strcmp(op, "==")) return l == r;
    if (!strcmp(op, "!=")) return l != r;
    if (!strcmp(op, "<=")) return l <= r;
    if (!strcmp(op, ">=")) return l >= r;
    if (!strcmp(op, "<")) return l < r;
    if (!strcmp(op, ">")) return l > r;
    if (!strcmp(op, "<<")) return (long long)((unsigned long long)l << (r & 63));
    if (!strcmp(op, ">>")) return l >> (r & 63);
    if (!strcmp(op, "+")) return (long long)((unsigned long long)l + (unsigned long long)r);
    if (!strcmp(op, "-")) return (long long)((unsigned long long)l - (unsigned long long)r);
    if (!strcmp(op, "*")) return (long long)((unsigned long long)l * (unsigned long long)r);
    if (!strcmp(op, "/") || !strcmp(op, "%")) {
        if (r == 0) {
            if (!a->skip)
                error(a, "division by zero");
            return 0;
        }
        if (r == -1)
            return op[0] == '/' ? -l : 0;
        return op[0] == '/' ? l / r : l % r;
    }
    return 0;
}

static long long binary(Arith *a, int level)
{
    if (level == LEVELS)
        return unary(a);
    long long l = binary(a, level + 1);
    for (;;) {
        if (a->error)
            return 0;
        if (level == 0 && accept(a, "||")) {
            int was = a->skip;
            if (l)
                a->skip = 1;
            long long r = binary(a, level + 1);
            a->skip = was;
            l = l || r;
            continue;
        }
        if (level == 1 && accept(a, "&&")) {
            int was = a->skip;
            if (!l)
                a->skip = 1;
            long long r = binary(a, level + 1);
            a->skip = was;
            l = l && r;
            continue;
        }
        const char *op = NULL;
        for (int i = 0; i < 5 && OPS[level][i]; i++) {
            if (level <= 1)
                break;
            if (accept(a, OPS[level][i])) {
                op = OPS[level][i];
                break;
            }
        }
        if (!op)
            return l;
        long long r = binary(a, level + 1);
        l = apply(a, op, l, r);
    }
}

static long long conditional(Arith *a)
{
    long long c = binary(a, 0);
    if (!accept(a, "?"))
        return c;
    int was = a->skip;
    if (!c)
        a->skip = 1;
    long long yes = assignment(a);
    a->skip = was;
    if (!accept(a, ":")) {
        error(a, "expecting ':'");
        return 0;
    }
    if (c)
        a->skip = 1;
    long long no = conditional(a);
    a->skip = was;
    return c ? yes : no;
}

static long long assignment(Arith *a)
{
    blanks(a);
    const char *start = a->s;
    if (isalpha((unsigned char)*a->s) || *a->s == '_') {
        const char *p = a->s;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        const char *name_end = p;
        while (isspace((unsigned char)*p))
            p++;
        static const char *const ASSIGN[] = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", NULL};
        for (int i = 0; ASSIGN[i]; i++) {
            size_t n = strlen(ASSIGN[i]);
            if (!strncmp(p, ASSIGN[i], n) && !(n == 1 && p[1] == '=')) {
                char *name = xstrndup(start, name_end - start);
                a->s = p + n;
                long long r = assignment(a);
                long long v = r;
                if (n > 1) {
                    char op[4] = {0};
                    memcpy(op, ASSIGN[i], n - 1);
                    long long old = var_value(a, name);
                    v = apply(a, op, old, r);
                }
                if (!a->skip && !a->error) {
                    char buf[32];
                    snprintf(buf, sizeof buf, "%lld", v);
                    if (var_set(name, buf, 0) < 0)
                        a->error = 1;
                }
                free(name);
                return v;
            }
        }
    }
    return conditional(a);
}

int arith_eval(const char *expr, long long *result)
{
    Arith a = {expr, 0, 0};
    blanks(&a);
    if (!*a.s) {
        *result = 0;
        return 0;
    }
    *result = assignment(&a);
    blanks(&a);
    if (!a.error && *a.s)
        error(&a, "syntax error");
    return a.error ? -1 : 0;
}
