/*
 * Word expansion, in POSIX order: tilde, parameters, command substitution and
 * arithmetic; then field splitting on what unquoted expansions produced; then
 * pathname expansion; quotes disappear along the way.
 *
 * While expanding, every output byte carries a kind: LITERAL (unquoted text
 * of the word itself: globbed, not split), QUOTED (neither) or EXPANDED
 * (unquoted expansion results: split and globbed). "$@" marks hard field
 * breaks.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

enum { LITERAL = 0, QUOTED = 1, EXPANDED = 2 };

typedef struct {
    Str text;
    Str kinds;     /* one kind byte per text byte */
    int *breaks;   /* positions of hard field breaks ("$@") */
    char *break_quoted; /* per break: it came from "$@", so an empty parameter still makes a field */
    int nbreaks;
    int *empty_quotes; /* positions of quoted parts that produced nothing ("", ''): a field starts there */
    int nempty_quotes;
    int had_quotes; /* a quoted part existed: an empty result is still a field */
    int at_empty;   /* "$@" with no parameters produced nothing */
    int error;
} Exp;

/* Text of the word in an unquoted ${x-word}: an expansion result, so it is split. */
#define EXP_PARAM_WORD 16

static void emit(Exp *e, const char *s, size_t n, int kind)
{
    str_putn(&e->text, s, n);
    for (size_t i = 0; i < n; i++)
        str_putc(&e->kinds, (char)kind);
}

static void emit_break(Exp *e, int quoted)
{
    e->breaks = xrealloc(e->breaks, (e->nbreaks + 1) * sizeof(int));
    e->break_quoted = xrealloc(e->break_quoted, e->nbreaks + 1);
    e->break_quoted[e->nbreaks] = (char)quoted;
    e->breaks[e->nbreaks++] = (int)e->text.len;
}

/* After a quoted part: if it produced nothing, remember where (it is still a field's start). */
static void mark_if_empty_quote(Exp *e, size_t before, int at_empty_before)
{
    if (e->text.len != before || (e->at_empty && !at_empty_before))
        return;
    e->empty_quotes = xrealloc(e->empty_quotes, (e->nempty_quotes + 1) * sizeof(int));
    e->empty_quotes[e->nempty_quotes++] = (int)e->text.len;
}

static void exp_free(Exp *e)
{
    free(e->text.s);
    free(e->kinds.s);
    free(e->breaks);
    free(e->break_quoted);
    free(e->empty_quotes);
}

static const char *expand_part(Exp *e, const char *s, const char *end, int quoted, int flags);

/* ---- parameters ---- */

/* Fields joined as "$*" joins them: by IFS's first character, a space when IFS is unset, nothing when it is empty. */
static char *joined_by_ifs(char *const *fields, int count)
{
    Str out = {0};
    const char *ifs = var_get("IFS");
    char sep = ifs ? ifs[0] : ' ';
    for (int i = 0; i < count; i++) {
        if (i && sep)
            str_putc(&out, sep);
        str_puts(&out, fields[i]);
    }
    return str_take(&out);
}

/* The value of a parameter by name; NULL when unset. Returns malloc'd string. */
static char *param_value(const char *name, size_t n)
{
    char buf[32];
    if (n == 1) {
        switch (name[0]) {
        case '?':
            snprintf(buf, sizeof buf, "%d", sh.status);
            return xstrdup(buf);
        case '$':
            snprintf(buf, sizeof buf, "%d", (int)sh.rootpid);
            return xstrdup(buf);
        case '!':
            if (!sh.lastbg)
                return NULL;
            snprintf(buf, sizeof buf, "%d", (int)sh.lastbg);
            return xstrdup(buf);
        case '#':
            snprintf(buf, sizeof buf, "%d", sh.nparams);
            return xstrdup(buf);
        case '-': {
            Str f = {0};
            if (sh.opt_e) str_putc(&f, 'e');
            if (sh.opt_f) str_putc(&f, 'f');
            if (sh.interactive) str_putc(&f, 'i');
            if (sh.opt_u) str_putc(&f, 'u');
            if (sh.opt_v) str_putc(&f, 'v');
            if (sh.opt_x) str_putc(&f, 'x');
            if (sh.opt_C) str_putc(&f, 'C');
            if (sh.opt_a) str_putc(&f, 'a');
            return str_take(&f);
        }
        case '*':
        case '@':
            return joined_by_ifs(sh.params, sh.nparams);
        case '0':
            return xstrdup(sh.name);
        }
    }
    if (isdigit((unsigned char)name[0])) {
        int i = atoi(name);
        if (i == 0)
            return xstrdup(sh.name);
        return i <= sh.nparams ? xstrdup(sh.params[i - 1]) : NULL;
    }
    char *key = xstrndup(name, n);
    char *v = var_get(key);
    free(key);
    return v ? xstrdup(v) : NULL;
}

/* set -u: an unset parameter is an expansion error (a non-interactive shell exits 2). */
static int unset_error(const char *name, size_t n)
{
    sh_error("%.*s: parameter not set", (int)n, name);
    return 2;
}

/* Emits a value: expanded (split) when unquoted. */
static void emit_value(Exp *e, const char *v, int quoted)
{
    if (quoted)
        e->had_quotes = 1;
    emit(e, v, strlen(v), quoted ? QUOTED : EXPANDED);
}

/* Parameters as "$@" / $@ / "$*" / $* make them: each a field, or joined by IFS's first character. */
static void emit_fields(Exp *e, char *const *fields, int count, char which, int quoted)
{
    if (which == '@' || !quoted) {
        if (count == 0) {
            if (quoted)
                e->at_empty = 1;
            return;
        }
        for (int i = 0; i < count; i++) {
            if (i)
                emit_break(e, quoted);
            emit(e, fields[i], strlen(fields[i]), quoted ? QUOTED : EXPANDED);
        }
        if (quoted)
            e->had_quotes = 1;
        return;
    }
    char *joined = joined_by_ifs(fields, count);
    emit_value(e, joined, quoted);
    free(joined);
}

/* "$@" / $@ / "$*" / $*. */
static void emit_positionals(Exp *e, char which, int quoted)
{
    emit_fields(e, sh.params, sh.nparams, which, quoted);
}

/* Matches a prefix/suffix pattern against value; op is '#', '##', '%', '%%'. */
static char *remove_pattern(const char *value, const char *pattern, int suffix, int longest)
{
    size_t len = strlen(value);
    char *tmp = xmalloc(len + 1);
    if (!suffix) {
        for (size_t k = 0; k <= len; k++) {
            size_t i = longest ? len - k : k;
            memcpy(tmp, value, i);
            tmp[i] = 0;
            if (pattern_match(pattern, tmp)) {
                free(tmp);
                return xstrdup(value + i);
            }
        }
    } else {
        for (size_t k = 0; k <= len; k++) {
            size_t i = longest ? k : len - k;
            if (pattern_match(pattern, value + i)) {
                free(tmp);
                return xstrndup(value, i);
            }
        }
    }
    free(tmp);
    return xstrdup(value);
}

/* The expansion as one string: where "$@" made separate fields, a space joins them. */
static char *joined_text(Exp *e)
{
    Str out = {0};
    str_puts(&out, "");
    int b = 0;
    for (size_t i = 0; i <= e->text.len; i++) {
        for (; b < e->nbreaks && (size_t)e->breaks[b] == i; b++)
            str_putc(&out, ' ');
        if (i < e->text.len)
            str_putc(&out, e->text.s[i]);
    }
    return str_take(&out);
}

static char *expand_range_string(const char *s, const char *end, int quoted, int flags)
{
    Exp sub = {0};
    expand_part(&sub, s, end, quoted, flags);
    if (sub.error) {
        exp_free(&sub);
        return NULL;
    }
    char *r = joined_text(&sub);
    exp_free(&sub);
    return r;
}

/* A pattern from a range of a word: quoted pattern characters escaped. */
static char *expand_range_pattern(const char *s, const char *end, int quoted)
{
    Exp sub = {0};
    expand_part(&sub, s, end, quoted, EXP_PATTERN);
    if (sub.error) {
        exp_free(&sub);
        return NULL;
    }
    Str pat = {0};
    for (size_t i = 0; i < sub.text.len; i++) {
        char c = sub.text.s[i];
        if (sub.kinds.s[i] == QUOTED && strchr("*?[]\\", c))
            str_putc(&pat, '\\');
        str_putc(&pat, c);
    }
    exp_free(&sub);
    return str_take(&pat);
}

static const char *find_brace_end(const char *s, const char *end, int quoted);

/* An arithmetic operand of ${name:offset:length}, after its own expansions. */
static int substring_operand(const char *s, const char *end, long long *result)
{
    char *text = expand_range_string(s, end, 0, EXP_PARAM_WORD);
    int r = text ? arith_eval(text, result) : -1;
    free(text);
    return r;
}

/*
 * ${name:offset} and ${name:offset:length} (bash and ash, not POSIX): characters
 * of a value, or a range of parameters for @ and * (counting $0 as the 0th).
 * A negative offset counts from the end; a negative length stops that far
 * before it. s points after the ':'.
 */
static void expand_substring(Exp *e, const char *name, size_t n, char *value, const char *s, const char *end, int quoted)
{
    const char *colon = memchr(s, ':', end - s);
    long long offset, length = 0;
    if (substring_operand(s, colon ? colon : end, &offset) < 0 || (colon && substring_operand(colon + 1, end, &length) < 0)) {
        e->error = 1;
        free(value);
        return;
    }
    if (n == 1 && (name[0] == '@' || name[0] == '*')) {
        free(value);
        char **all = xmalloc((sh.nparams + 1) * sizeof *all);
        all[0] = sh.name;
        for (int i = 0; i < sh.nparams; i++)
            all[i + 1] = sh.params[i];
        long long count = sh.nparams + 1;
        long long from = offset < 0 ? count + offset : offset;
        long long to = colon ? (length < 0 ? -1 : from + length) : count;
        if (colon && length < 0) {
            sh_error("%lld: substring expression < 0", length);
            e->error = 1;
        } else if (from >= 0 && from < count) {
            emit_fields(e, all + from, (int)((to < count ? to : count) - from), name[0], quoted);
        } else if (quoted) {
            e->at_empty = name[0] == '@';
            e->had_quotes = 1;
        }
        free(all);
        return;
    }
    if (!value) {
        if (sh.opt_u) {
            e->error = unset_error(name, n);
            return;
        }
        value = xstrdup("");
    }
    long long len = (long long)strlen(value);
    long long from = offset < 0 ? len + offset : offset;
    long long to = !colon ? len : length < 0 ? len + length : from + length;
    if (from < 0 || from > len)
        from = to = 0;
    if (to > len)
        to = len;
    if (to < from) {
        if (colon && length < 0) {
            sh_error("%lld: substring expression < 0", length);
            e->error = 1;
            free(value);
            return;
        }
        to = from;
    }
    char *part = xstrndup(value + from, (size_t)(to - from));
    emit_value(e, part, quoted);
    free(part);
    free(value);
}

/* Where the pattern of ${name/pattern/string} ends: the first '/' outside quotes, escapes and ${...}. */
static const char *pattern_end(const char *s, const char *end)
{
    for (const char *q = s; q < end; q++) {
        if (*q == '\\' && q + 1 < end)
            q++;
        else if (*q == '\'') {
            const char *close = memchr(q + 1, '\'', end - q - 1);
            q = close ? close : end - 1;
        } else if (*q == '$' && q + 1 < end && q[1] == '{') {
            const char *close = find_brace_end(q + 2, end, 0);
            q = close ? close : end - 1;
        } else if (*q == '/')
            return q;
    }
    return end;
}

/* Replaces matches of a pattern: the first (mode 0), every one ('/'), a prefix ('#') or a suffix ('%'), each the longest. */
static char *replace_pattern(const char *value, const char *pattern, const char *replacement, char mode)
{
    if (!*pattern && (mode == 0 || mode == '/'))
        return xstrdup(value);
    size_t len = strlen(value);
    char *candidate = xmalloc(len + 1);
    Str out = {0};
    str_puts(&out, "");
    int replaced = 0;
    for (size_t i = 0; i <= len;) {
        size_t match = (size_t)-1;
        if (!(replaced && mode != '/') && (mode != '#' || i == 0)) {
            if (mode == '%') {
                if (pattern_match(pattern, value + i))
                    match = len;
            } else {
                for (size_t j = len + 1; j-- > i;) {
                    memcpy(candidate, value + i, j - i);
                    candidate[j - i] = 0;
                    if (pattern_match(pattern, candidate)) {
                        match = j;
                        break;
                    }
                }
            }
        }
        if (match != (size_t)-1) {
            str_puts(&out, replacement);
            replaced = 1;
            if (match > i) {
                i = match;
                continue;
            }
        }
        if (i < len)
            str_putc(&out, value[i]);
        i++;
    }
    free(candidate);
    return str_take(&out);
}

/* ${name/pattern/string}, ${name//pattern/string}, ${name/#...}, ${name/%...} (bash and ash). s points after the first '/'. */
static void expand_replace(Exp *e, const char *name, size_t n, char *value, const char *s, const char *end, int quoted)
{
    char mode = 0;
    if (s < end && strchr("/#%", *s))
        mode = *s++;
    const char *slash = pattern_end(s, end);
    if (!value) {
        if (sh.opt_u) {
            e->error = unset_error(name, n);
            return;
        }
        value = xstrdup("");
    }
    char *pattern = expand_range_pattern(s, slash, 0);
    char *replacement = slash < end ? expand_range_string(slash + 1, end, quoted, EXP_PARAM_WORD) : xstrdup("");
    if (!pattern || !replacement) {
        e->error = 1;
    } else {
        char *result = replace_pattern(value, pattern, replacement, mode);
        emit_value(e, result, quoted);
        free(result);
    }
    free(pattern);
    free(replacement);
    free(value);
}

/* ${...}: s points after "${", end at the closing brace; flags: the word's (an assignment's value: tildes after ':'). */
static void expand_braced(Exp *e, const char *s, const char *end, int quoted, int flags)
{
    int length = 0;
    if (*s == '#' && s + 1 < end && (s[1] != '}' && !(s + 1 == end))) {
        /* ${#name}, unless it is ${#} or ${#-...} style operators on $# */
        const char *q = s + 1;
        if (!(q < end && (strchr(":-=?+%#", *q) && q + 1 != end && *q != '#')))
            length = 1, s++;
        if (*s == '#' && s + 1 == end)
            length = 1; /* ${##} is the length of $# */
    }
    const char *name = s;
    size_t n;
    if (isalpha((unsigned char)*s) || *s == '_') {
        while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
            s++;
    } else if (isdigit((unsigned char)*s)) {
        while (s < end && isdigit((unsigned char)*s))
            s++;
    } else if (s < end && strchr("@*#?-$!0", *s)) {
        s++;
    } else {
        sh_error("${%.*s}: bad substitution", (int)(end - name), name);
        e->error = 2;
        return;
    }
    n = s - name;
    char *value = param_value(name, n);
    int is_at = n == 1 && (name[0] == '@' || name[0] == '*');
    /* a quoted expansion is a field even when it comes out empty ("$@" aside) */
    if (quoted && !is_at)
        e->had_quotes = 1;
    if (length) {
        if (s != end) {
            sh_error("${%.*s}: bad substitution", (int)(end - name + 1), name - 1);
            e->error = 2;
            free(value);
            return;
        }
        if (!value && sh.opt_u && !is_at) {
            e->error = unset_error(name, n);
            return;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", is_at ? (size_t)sh.nparams : (value ? strlen(value) : 0));
        emit_value(e, buf, quoted);
        free(value);
        return;
    }
    if (s == end) {
        if (is_at) {
            free(value);
            emit_positionals(e, name[0], quoted);
            return;
        }
        if (!value) {
            if (sh.opt_u) {
                e->error = unset_error(name, n);
                return;
            }
            if (quoted)
                e->had_quotes = 1;
            return;
        }
        emit_value(e, value, quoted);
        free(value);
        return;
    }
    int colon = 0;
    if (*s == ':') {
        colon = 1;
        s++;
        if (s == end || !strchr("-=?+", *s)) {
            expand_substring(e, name, n, value, s, end, quoted);
            return;
        }
    }
    if (*s == '/' && !(n == 1 && (name[0] == '@' || name[0] == '*'))) {
        expand_replace(e, name, n, value, s + 1, end, quoted);
        return;
    }
    char op = *s++;
    if (!strchr("-=?+#%", op) || (colon && (op == '#' || op == '%'))) {
        sh_error("${%.*s}: bad substitution", (int)(end - name), name);
        e->error = 2;
        free(value);
        return;
    }
    int twice = 0;
    if ((op == '#' || op == '%') && s < end && *s == op) {
        twice = 1;
        s++;
    }
    int is_set = value != NULL && !(is_at && sh.nparams == 0);
    int null = !value || !*value;
    if (is_at && !(quoted && name[0] == '*'))
        /* as separate fields (dash): null only when there is nothing or one empty parameter */
        null = sh.nparams == 0 || (sh.nparams == 1 && !*sh.params[0]);
    int use_word = colon ? (!is_set || null) : !is_set;
    switch (op) {
    case '-':
        if (use_word) {
            free(value);
            expand_part(e, s, end, quoted, EXP_PARAM_WORD | (flags & EXP_ASSIGN));
            return;
        }
        break;
    case '+':
        free(value);
        if (!use_word)
            expand_part(e, s, end, quoted, EXP_PARAM_WORD | (flags & EXP_ASSIGN));
        else if (quoted)
            e->had_quotes = 1;
        return;
    case '=':
        if (use_word) {
            if (!(isalpha((unsigned char)name[0]) || name[0] == '_')) {
                sh_error("%.*s: bad variable name", (int)n, name);
                e->error = 1;
                free(value);
                return;
            }
            char *word = expand_range_string(s, end, quoted, EXP_ASSIGN | EXP_PARAM_WORD);
            if (!word) {
                e->error = 1;
                free(value);
                return;
            }
            char *key = xstrndup(name, n);
            if (var_set(key, word, 0) < 0)
                e->error = 1;
            free(key);
            free(value);
            value = word;
        }
        break;
    case '?':
        if (use_word) {
            char *word = expand_range_string(s, end, quoted, EXP_PARAM_WORD);
            if (word && *word)
                sh_error("%.*s: %s", (int)n, name, word);
            else
                sh_error("%.*s: parameter %s", (int)n, name, value ? "null or not set" : "not set");
            free(word);
            free(value);
            e->error = 2;
            return;
        }
        break;
    case '#':
    case '%': {
        if (!value) {
            if (sh.opt_u && !is_at) {
                e->error = unset_error(name, n);
                return;
            }
            value = xstrdup("");
        }
        /* the pattern is not quoted by double quotes around the whole ${...} */
        char *pattern = expand_range_pattern(s, end, 0);
        if (!pattern) {
            e->error = 1;
            free(value);
            return;
        }
        char *result = remove_pattern(value, pattern, op == '%', twice);
        free(pattern);
        free(value);
        emit_value(e, result, quoted);
        free(result);
        return;
    }
    }
    if (is_at) {
        free(value);
        emit_positionals(e, name[0], quoted);
        return;
    }
    if (!value) {
        if (sh.opt_u) {
            e->error = unset_error(name, n);
            return;
        }
        if (quoted)
            e->had_quotes = 1;
        return;
    }
    emit_value(e, value, quoted);
    free(value);
}


/* Finds the '"' closing a double-quoted part (s points after the opening one), skipping nested constructs. */
static const char *find_dquote_end(const char *q, const char *end)
{
    while (q < end && *q != '"') {
        if (*q == '\\' && q + 1 < end)
            q += 2;
        else if (*q == '$' && q + 1 < end && q[1] == '(') {
            const char *r = q[2] == '(' ? NULL : skip_cmdsubst(q + 2);
            if (!r) {
                /* arithmetic: skip to )) */
                const char *a = strstr(q, "))");
                r = a && a < end ? a + 2 : end;
            }
            q = r;
        } else if (*q == '$' && q + 1 < end && q[1] == '{') {
            const char *r = find_brace_end(q + 2, end, 1);
            q = r ? r + 1 : end;
        } else if (*q == '`') {
            q++;
            while (q < end && *q != '`') {
                if (*q == '\\' && q + 1 < end)
                    q++;
                q++;
            }
            q++;
        } else
            q++;
    }
    return q > end ? end : q;
}

/*
 * Finds the '}' closing "${" at s (s points after "${"). Inside double
 * quotes a single quote is an ordinary character, so it does not hide a '}'
 * (dash: "${v-'}'}" is "''}"), except in a pattern; a nested double-quoted
 * part does.
 */
/* ${v#pattern} or ${v%pattern} (s after "${"): the pattern is not quoted by double quotes around it */
static int is_pattern_operator(const char *s, const char *end)
{
    const char *q = s;
    if (isalpha((unsigned char)*q) || *q == '_') {
        while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
            q++;
    } else if (isdigit((unsigned char)*q)) {
        while (q < end && isdigit((unsigned char)*q))
            q++;
    } else if (q < end) {
        q++;
    }
    return q < end && (*q == '#' || *q == '%');
}

static const char *find_brace_end(const char *s, const char *end, int quoted)
{
    int depth = 0;
    if (quoted && is_pattern_operator(s, end))
        quoted = 0;
    while (s < end) {
        if (*s == '\\' && s + 1 < end) {
            s += 2;
        } else if (*s == '\'' && !quoted) {
            const char *q = memchr(s + 1, '\'', end - s - 1);
            s = q ? q + 1 : end;
        } else if (*s == '"') {
            s = find_dquote_end(s + 1, end) + 1;
        } else if (*s == '$' && s[1] == '(') {
            const char *q = skip_cmdsubst(s + 2);
            s = q ? q : end;
        } else if (*s == '`') {
            s++;
            while (s < end && *s != '`') {
                if (*s == '\\' && s + 1 < end)
                    s++;
                s++;
            }
            s++;
        } else if (*s == '$' && s[1] == '{') {
            depth++;
            s += 2;
        } else if (*s == '}') {
            if (depth == 0)
                return s;
            depth--;
            s++;
        } else {
            s++;
        }
    }
    return NULL;
}

/* ---- command substitution and arithmetic ---- */

static void emit_command_output(Exp *e, const char *script, int quoted)
{
    int status;
    char *out = command_substitution(script, &status);
    size_t len = strlen(out);
    while (len && out[len - 1] == '\n')
        len--;
    if (quoted)
        e->had_quotes = 1;
    emit(e, out, len, quoted ? QUOTED : EXPANDED);
    free(out);
    sh.status = status;
}

static const char *expand_backquote(Exp *e, const char *s, const char *end, int quoted)
{
    /* s points after the opening backquote */
    Str script = {0};
    while (s < end && *s != '`') {
        if (*s == '\\' && s + 1 < end && (s[1] == '$' || s[1] == '`' || s[1] == '\\' || (quoted && s[1] == '"'))) {
            s++;
        }
        str_putc(&script, *s++);
    }
    char *text = str_take(&script);
    emit_command_output(e, text, quoted);
    free(text);
    return s < end ? s + 1 : s;
}

static const char *expand_arith(Exp *e, const char *s, const char *end, int quoted)
{
    /* s points after "$((" ; find the matching "))" */
    int depth = 0;
    const char *q = s;
    while (q < end) {
        if (*q == '(')
            depth++;
        else if (*q == ')') {
            if (depth == 0 && q + 1 < end && q[1] == ')')
                break;
            depth--;
        }
        q++;
    }
    char *expr = expand_range_string(s, q, 1, 0);
    if (!expr) {
        e->error = 1;
        return q + 2;
    }
    long long result;
    if (arith_eval(expr, &result)) {
        e->error = 2;
        free(expr);
        return q + 2;
    }
    free(expr);
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", result);
    emit_value(e, buf, quoted);
    return q < end ? q + 2 : end;
}

/* ---- the walk ---- */

static const char *expand_dollar(Exp *e, const char *s, const char *end, int quoted, int flags)
{
    /* s points at '$' */
    const char *p = s + 1;
    if (p >= end) {
        emit(e, "$", 1, quoted ? QUOTED : LITERAL);
        return p;
    }
    if (*p == '(' && p + 1 < end && p[1] == '(') {
        /* $(( ... )) unless it is $( ( ... ) ... ) */
        const char *q = p + 2;
        int depth = 0;
        while (q < end) {
            if (*q == '(')
                depth++;
            else if (*q == ')') {
                if (depth == 0)
                    break;
                depth--;
            }
            q++;
        }
        if (q + 1 < end && q[1] == ')')
            return expand_arith(e, p + 2, end, quoted);
    }
    if (*p == '(') {
        const char *close = skip_cmdsubst(p + 1);
        if (!close || close > end) {
            sh_error("syntax error: missing ')'");
            e->error = 1;
            return end;
        }
        char *script = xstrndup(p + 1, close - 1 - (p + 1));
        emit_command_output(e, script, quoted);
        free(script);
        return close;
    }
    if (*p == '{') {
        const char *close = find_brace_end(p + 1, end, quoted);
        if (!close) {
            sh_error("syntax error: missing '}'");
            e->error = 1;
            return end;
        }
        expand_braced(e, p + 1, close, quoted, flags);
        return close + 1;
    }
    if (isalpha((unsigned char)*p) || *p == '_') {
        const char *q = p;
        while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
            q++;
        char *value = param_value(p, q - p);
        if (!value) {
            if (sh.opt_u) {
                e->error = unset_error(p, q - p);
                return q;
            }
            if (quoted)
                e->had_quotes = 1;
        } else {
            emit_value(e, value, quoted);
            free(value);
        }
        return q;
    }
    if (isdigit((unsigned char)*p) || strchr("?$!#-0", *p)) {
        char *value = param_value(p, 1);
        if (!value) {
            if (sh.opt_u && *p != '!' ) {
                e->error = unset_error(p, 1);
                return p + 1;
            }
            if (quoted)
                e->had_quotes = 1;
        } else {
            emit_value(e, value, quoted);
            free(value);
        }
        return p + 1;
    }
    if (*p == '@' || *p == '*') {
        emit_positionals(e, *p, quoted);
        return p + 1;
    }
    emit(e, "$", 1, quoted ? QUOTED : LITERAL);
    return p;
}

static const char *expand_part(Exp *e, const char *s, const char *end, int quoted, int flags)
{
    int heredoc = flags & EXP_HEREDOC;
    int LITERAL = (flags & EXP_PARAM_WORD) ? EXPANDED : 0;
    while (s < end && !e->error) {
        char c = *s;
        if (c == '\\') {
            if (s + 1 >= end) {
                emit(e, "\\", 1, quoted ? QUOTED : LITERAL);
                s++;
            } else if (s[1] == '\n') {
                s += 2;
            } else if (quoted || heredoc) {
                /* in "${v-word}" a backslash also quotes the closing brace */
                if (strchr(heredoc ? "$`\\" : "$`\"\\", s[1]) || (s[1] == '}' && (flags & EXP_PARAM_WORD))) {
                    emit(e, s + 1, 1, QUOTED);
                } else {
                    emit(e, s, 2, QUOTED);
                }
                s += 2;
            } else {
                emit(e, s + 1, 1, QUOTED);
                e->had_quotes = 1;
                s += 2;
            }
        } else if (c == '\'' && !quoted && !heredoc) {
            const char *q = memchr(s + 1, '\'', end - s - 1);
            if (!q)
                q = end;
            size_t before = e->text.len;
            emit(e, s + 1, q - s - 1, QUOTED);
            mark_if_empty_quote(e, before, e->at_empty);
            e->had_quotes = 1;
            s = q < end ? q + 1 : end;
        } else if (c == '"' && (!quoted || (flags & EXP_PARAM_WORD)) && !heredoc) {
            /* also inside "${v-"word"}": the word's own double quotes quote it (dash) */
            const char *q = find_dquote_end(s + 1, end);
            e->had_quotes = 1;
            size_t before = e->text.len;
            int at_empty_before = e->at_empty;
            expand_part(e, s + 1, q, 1, flags & EXP_PATTERN);
            mark_if_empty_quote(e, before, at_empty_before);
            s = q < end ? q + 1 : end;
        } else if (c == '$') {
            s = expand_dollar(e, s, end, quoted, flags);
        } else if (c == '`') {
            s = expand_backquote(e, s + 1, end, quoted);
        } else if (c == '~' && !quoted && !heredoc &&
                   (e->text.len == 0 || ((flags & EXP_ASSIGN) && e->text.s[e->text.len - 1] == ':' ))) {
            const char *q = s + 1;
            while (q < end && *q != '/' && !((flags & EXP_ASSIGN) && *q == ':') && (isalnum((unsigned char)*q) || strchr("._-", *q)))
                q++;
            if (q < end && *q != '/' && !((flags & EXP_ASSIGN) && *q == ':')) {
                emit(e, s, 1, LITERAL);
                s++;
                continue;
            }
            char *home = NULL;
            if (q == s + 1) {
                const char *h = var_get("HOME");
                home = h ? xstrdup(h) : NULL;
            } else {
                char *user = xstrndup(s + 1, q - s - 1);
                struct passwd *pw = getpwnam(user);
                free(user);
                home = pw ? xstrdup(pw->pw_dir) : NULL;
            }
            if (home) {
                emit(e, home, strlen(home), QUOTED);
                free(home);
                s = q;
            } else {
                emit(e, s, q - s, LITERAL);
                s = q;
            }
        } else {
            emit(e, s, 1, quoted ? QUOTED : LITERAL);
            s++;
        }
    }
    return s;
}

/* ---- field splitting and pathname expansion ---- */

static int has_glob(const char *text, const char *kinds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (kinds[i] != QUOTED && (text[i] == '*' || text[i] == '?' || text[i] == '['))
            return 1;
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expands a glob pattern (with '\\' escapes) against the filesystem; adds sorted matches. */
static int glob_expand(const char *pattern, Vec *out)
{
    /* split into directory components */
    Vec results = {0};
    vec_push(&results, xstrdup(pattern[0] == '/' ? "/" : ""));
    const char *p = pattern;
    while (*p == '/')
        p++;
    while (*p) {
        const char *slash = p;
        while (*slash && *slash != '/') {
            if (*slash == '\\' && slash[1])
                slash++;
            slash++;
        }
        char *comp = xstrndup(p, slash - p);
        int magic = 0;
        for (const char *c = comp; *c; c++) {
            if (*c == '\\' && c[1]) {
                c++;
                continue;
            }
            if (*c == '*' || *c == '?' || *c == '[')
                magic = 1;
        }
        Vec next = {0};
        for (int i = 0; i < results.n; i++) {
            const char *base = results.v[i];
            if (!magic) {
                Str path = {0};
                str_puts(&path, base);
                for (const char *c = comp; *c; c++) {
                    if (*c == '\\' && c[1])
                        c++;
                    str_putc(&path, *c);
                }
                if (*slash)
                    str_putc(&path, '/');
                vec_push(&next, str_take(&path));
                continue;
            }
            DIR *dir = opendir(*base ? base : ".");
            if (!dir)
                continue;
            Vec names = {0};
            struct dirent *de;
            while ((de = readdir(dir))) {
                if (de->d_name[0] == '.' && comp[0] != '.')
                    continue;
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                    if (comp[0] != '.')
                        continue;
                if (pattern_match(comp, de->d_name))
                    vec_push(&names, xstrdup(de->d_name));
            }
            closedir(dir);
            if (names.n)
                qsort(names.v, names.n, sizeof(char *), compare_strings);
            for (int k = 0; k < names.n; k++) {
                Str path = {0};
                str_puts(&path, base);
                str_puts(&path, names.v[k]);
                if (*slash)
                    str_putc(&path, '/');
                vec_push(&next, str_take(&path));
                free(names.v[k]);
            }
            free(names.v);
        }
        free(comp);
        strv_free(vec_take(&results));
        results = next;
        if (results.n == 0)
            break;
        p = slash;
        while (*p == '/')
            p++;
    }
    int found = 0;
    for (int i = 0; i < results.n; i++) {
        /* components without magic were not checked: the path must exist */
        if (access(results.v[i], F_OK) == 0 || errno != ENOENT) {
            vec_push(out, results.v[i]);
            found++;
        } else {
            free(results.v[i]);
        }
    }
    free(results.v);
    return found;
}

static void add_field(Vec *out, const char *text, const char *kinds, size_t n, int glob)
{
    if (glob && !sh.opt_f && has_glob(text, kinds, n)) {
        Str pat = {0};
        for (size_t i = 0; i < n; i++) {
            /* a backslash an expansion produced escapes the next character (dash) */
            if (kinds[i] == QUOTED && strchr("*?[]\\", text[i]))
                str_putc(&pat, '\\');
            else if (kinds[i] == LITERAL && text[i] == '\\')
                str_putc(&pat, '\\');
            str_putc(&pat, text[i]);
        }
        char *pattern = str_take(&pat);
        int found = glob_expand(pattern, out);
        free(pattern);
        if (found)
            return;
    }
    vec_push(out, xstrndup(text, n));
}

/*
 * POSIX field splitting over the EXPANDED bytes: IFS whitespace around a
 * field is dropped; every other IFS character ends a field, so two in a row
 * make an empty field, but one after whitespace that already ended a field
 * does not, and one at the end makes no empty last field.
 */
static void split_fields(Exp *e, Vec *out, int split)
{
    const char *ifs = var_get("IFS");
    if (!ifs)
        ifs = " \t\n";
    const char *t = e->text.s ? e->text.s : "";
    const char *k = e->kinds.s ? e->kinds.s : "";
    size_t n = e->text.len;
    int nextbreak = 0;
    Str field = {0}, fkinds = {0};
    int in_field = 0;    /* the current field exists (it may be empty: "" or a quoted empty value) */
    int after_field = 0; /* whitespace just ended a field */
#define EMIT()                                                                                  \
    do {                                                                                        \
        add_field(out, field.s ? field.s : "", fkinds.s ? fkinds.s : "", field.len, split);    \
        field.len = fkinds.len = 0;                                                             \
        in_field = 0;                                                                           \
    } while (0)
    int nextquote = 0;
    for (size_t i = 0; i <= n; i++) {
        for (; nextquote < e->nempty_quotes && (size_t)e->empty_quotes[nextquote] == i; nextquote++) {
            in_field = 1;
            after_field = 0;
        }
        while (nextbreak < e->nbreaks && (size_t)e->breaks[nextbreak] == i) {
            /* "$@": each parameter its own field, empty ones included; unquoted $@ drops empty ones */
            int quoted_break = e->break_quoted[nextbreak];
            if (in_field || field.len || (quoted_break && (!split || e->had_quotes)))
                EMIT();
            nextbreak++;
            in_field = quoted_break;
            after_field = 0;
        }
        if (i == n)
            break;
        char c = t[i];
        if (split && k[i] == EXPANDED && c && strchr(ifs, c)) {
            int white = c == ' ' || c == '\t' || c == '\n';
            if (white) {
                if (in_field || field.len) {
                    EMIT();
                    after_field = 1;
                }
                continue;
            }
            if (in_field || field.len)
                EMIT();
            else if (!after_field)
                EMIT(); /* an empty field between two delimiters */
            after_field = 0;
            while (i + 1 < n && k[i + 1] == EXPANDED && strchr(ifs, t[i + 1]) &&
                   (t[i + 1] == ' ' || t[i + 1] == '\t' || t[i + 1] == '\n'))
                i++;
            continue;
        }
        str_putc(&field, c);
        str_putc(&fkinds, k[i]);
        in_field = 1;
        after_field = 0;
    }
    if (in_field || field.len)
        EMIT();
#undef EMIT
    free(field.s);
    free(fkinds.s);
}

int expand_words(char **words, Vec *out)
{
    for (char **w = words; *w; w++) {
        Exp e = {0};
        expand_part(&e, *w, *w + strlen(*w), 0, 0);
        if (e.error) {
            int err = e.error;
            exp_free(&e);
            return -err;
        }
        if (e.text.len == 0 && e.nbreaks == 0) {
            if (e.had_quotes && !e.at_empty)
                vec_push(out, xstrdup(""));
            exp_free(&e);
            continue;
        }
        int before = out->n;
        split_fields(&e, out, 1);
        (void)before;
        exp_free(&e);
    }
    return 0;
}

char *expand_word(const char *word, int flags)
{
    return expand_range_string(word, word + strlen(word), 0, flags);
}

char *expand_pattern(const char *word)
{
    return expand_range_pattern(word, word + strlen(word), 0);
}

char *expand_heredoc(const char *body)
{
    return expand_range_string(body, body + strlen(body), 0, EXP_HEREDOC);
}

/* ---- pattern matching ---- */

static int match_bracket(const char **pp, unsigned char c, int *ok)
{
    const char *p = *pp + 1;
    int negate = 0;
    if (*p == '!' || *p == '^') {
        negate = 1;
        p++;
    }
    int matched = 0;
    int first = 1;
    while (*p && (*p != ']' || first)) {
        first = 0;
        if (*p == '[' && p[1] == ':') {
            const char *close = strstr(p + 2, ":]");
            if (close) {
                char cls[16] = {0};
                size_t len = close - (p + 2);
                if (len < sizeof cls)
                    memcpy(cls, p + 2, len);
                if ((!strcmp(cls, "alpha") && isalpha(c)) || (!strcmp(cls, "digit") && isdigit(c)) ||
                    (!strcmp(cls, "alnum") && isalnum(c)) || (!strcmp(cls, "upper") && isupper(c)) ||
                    (!strcmp(cls, "lower") && islower(c)) || (!strcmp(cls, "space") && isspace(c)) ||
                    (!strcmp(cls, "punct") && ispunct(c)) || (!strcmp(cls, "xdigit") && isxdigit(c)) ||
                    (!strcmp(cls, "blank") && (c == ' ' || c == '\t')) || (!strcmp(cls, "print") && isprint(c)) ||
                    (!strcmp(cls, "graph") && isgraph(c)) || (!strcmp(cls, "cntrl") && iscntrl(c)))
                    matched = 1;
                p = close + 2;
                continue;
            }
        }
        unsigned char lo = (unsigned char)*p;
        if (*p == '\\' && p[1])
            lo = (unsigned char)*++p;
        p++;
        unsigned char hi = lo;
        if (*p == '-' && p[1] && p[1] != ']') {
            p++;
            hi = (unsigned char)*p;
            if (*p == '\\' && p[1])
                hi = (unsigned char)*++p;
            p++;
        }
        if (c >= lo && c <= hi)
            matched = 1;
    }
    if (*p != ']') {
        *ok = 0; /* not a bracket expression: '[' is literal */
        return 0;
    }
    *ok = 1;
    *pp = p + 1;
    return matched != negate;
}

int pattern_match(const char *p, const char *s)
{
    const char *star_p = NULL, *star_s = NULL;
    for (;;) {
        if (*p == '*') {
            while (*p == '*')
                p++;
            if (!*p)
                return 1;
            star_p = p;
            star_s = s;
            continue;
        }
        if (!*s) {
            if (!*p)
                return 1;
            goto backtrack;
        }
        if (*p == '?') {
            p++;
            s++;
            continue;
        }
        if (*p == '[') {
            const char *q = p;
            int ok;
            int m = match_bracket(&q, (unsigned char)*s, &ok);
            if (ok) {
                if (!m)
                    goto backtrack;
                p = q;
                s++;
                continue;
            }
            /* literal '[' */
        }
        {
            char pc = *p;
            if (pc == '\\' && p[1]) {
                pc = p[1];
                if (pc != *s)
                    goto backtrack;
                p += 2;
                s++;
                continue;
            }
            if (!pc || pc != *s)
                goto backtrack;
            p++;
            s++;
            continue;
        }
    backtrack:
        if (!star_p || !*star_s)
            return 0;
        p = star_p;
        s = ++star_s;
    }
}
