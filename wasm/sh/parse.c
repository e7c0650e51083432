/*
 * The parser: POSIX shell grammar by recursive descent over a source string.
 * Words are kept as their raw text (quotes included) and expanded when run.
 * Each command node keeps its source text, so that a subshell can be given
 * the command to run again as text.
 *
 * The caller hands us a buffer that may end in the middle of a command; we
 * then answer PARSE_INCOMPLETE and the caller reads another line and retries.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

enum {
    T_EOF, T_WORD, T_NEWLINE, T_SEMI, T_DSEMI, T_AMP, T_AND, T_OR, T_PIPE,
    T_LPAREN, T_RPAREN, T_REDIR,
};

#define MAX_DEPTH 200

struct Parser {
    const char *src;
    size_t pos;
    int line;
    /* current token */
    int tok;
    char *word;     /* T_WORD text */
    int quoted;     /* word had quotes (not a reserved word / alias) */
    int redir_type; /* T_REDIR */
    int redir_fd;   /* -1: default */
    size_t tok_start;
    int tok_line;
    int peeked;
    /* here-documents waiting for the end of the line */
    Redir *pending[64];
    int npending;
    int depth;
    int status; /* PARSE_INCOMPLETE or PARSE_ERROR when failing */
    char *err;
    size_t errlen;
    int fail_set;
};

static void fail(struct Parser *p, int status, const char *fmt, ...)
{
    if (p->fail_set)
        return;
    p->fail_set = 1;
    p->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

#define FAILED(p) ((p)->fail_set)

int is_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

int is_assignment(const char *w)
{
    const char *eq = strchr(w, '=');
    return eq && eq != w && is_name(w, eq - w);
}

static int is_meta(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
           c == '<' || c == '>' || c == 0;
}

/* ---- scanning inside words ---- */

static const char *scan_single(struct Parser *p, const char *s);
static const char *scan_double(struct Parser *p, const char *s);
static const char *scan_backquote(struct Parser *p, const char *s);
static const char *scan_dollar(struct Parser *p, const char *s);

static const char *scan_single(struct Parser *p, const char *s)
{
    /* s points after the opening quote */
    while (*s && *s != '\'') {
        if (*s == '\n')
            p->line++;
        s++;
    }
    if (!*s) {
        fail(p, PARSE_INCOMPLETE, "unterminated quoted string");
        return s;
    }
    return s + 1;
}

static const char *scan_double(struct Parser *p, const char *s)
{
    while (*s && *s != '"') {
        if (*s == '\\' && s[1]) {
            if (s[1] == '\n')
                p->line++;
            s += 2;
        } else if (*s == '$') {
            s = scan_dollar(p, s);
            if (FAILED(p))
                return s;
        } else if (*s == '`') {
            s = scan_backquote(p, s + 1);
            if (FAILED(p))
                return s;
        } else {
            if (*s == '\n')
                p->line++;
            s++;
        }
    }
    if (!*s) {
        fail(p, PARSE_INCOMPLETE, "unterminated quoted string");
        return s;
    }
    return s + 1;
}

static const char *scan_backquote(struct Parser *p, const char *s)
{
    while (*s && *s != '`') {
        if (*s == '\\' && s[1])
            s++;
        if (*s == '\n')
            p->line++;
        s++;
    }
    if (!*s) {
        fail(p, PARSE_INCOMPLETE, "unterminated backquote");
        return s;
    }
    return s + 1;
}

static int parse_cmdsubst_body(struct Parser *outer, const char *start, const char **end);

/* s points at '$'; returns the position after the expansion. */
static const char *scan_dollar(struct Parser *p, const char *s)
{
    if (s[1] == '(' && s[2] == '(') {
        /* $(( arithmetic )): balance parentheses; fall back to $( ( ... ) ) if it does not close as )) */
        const char *q = s + 3;
        int depth = 0;
        while (*q) {
            if (*q == '(')
                depth++;
            else if (*q == ')') {
                if (depth == 0) {
                    if (q[1] == ')')
                        return q + 2;
                    break;
                }
                depth--;
            } else if (*q == '\'' ) {
                q = scan_single(p, q + 1);
                if (FAILED(p))
                    return q;
                continue;
            } else if (*q == '"') {
                q = scan_double(p, q + 1);
                if (FAILED(p))
                    return q;
                continue;
            } else if (*q == '$') {
                q = scan_dollar(p, q);
                if (FAILED(p))
                    return q;
                continue;
            } else if (*q == '\n') {
                p->line++;
            }
            q++;
        }
        if (!*q) {
            fail(p, PARSE_INCOMPLETE, "unterminated arithmetic");
            return q;
        }
        /* not arithmetic after all: a command substitution starting with a subshell */
    }
    if (s[1] == '(') {
        const char *end;
        parse_cmdsubst_body(p, s + 2, &end);
        return end;
    }
    if (s[1] == '{') {
        const char *q = s + 2;
        while (*q && *q != '}') {
            if (*q == '\'') {
                q = scan_single(p, q + 1);
            } else if (*q == '"') {
                q = scan_double(p, q + 1);
            } else if (*q == '$') {
                q = scan_dollar(p, q);
            } else if (*q == '`') {
                q = scan_backquote(p, q + 1);
            } else if (*q == '\\' && q[1]) {
                q += 2;
            } else {
                if (*q == '\n')
                    p->line++;
                q++;
            }
            if (FAILED(p))
                return q;
        }
        if (!*q) {
            fail(p, PARSE_INCOMPLETE, "missing '}'");
            return q;
        }
        return q + 1;
    }
    return s + 1;
}

/* ---- tokens ---- */

static void skip_blanks_and_comments(struct Parser *p)
{
    for (;;) {
        char c = p->src[p->pos];
        if (c == ' ' || c == '\t') {
            p->pos++;
        } else if (c == '\\' && p->src[p->pos + 1] == '\n') {
            p->pos += 2;
            p->line++;
        } else if (c == '#') {
            while (p->src[p->pos] && p->src[p->pos] != '\n')
                p->pos++;
        } else {
            return;
        }
    }
}

static void read_heredocs(struct Parser *p);

static int next(struct Parser *p)
{
    /* after a failure every caller must unwind: give them the end of input */
    if (FAILED(p)) {
        p->peeked = 0;
        return p->tok = T_EOF;
    }
    if (p->peeked) {
        p->peeked = 0;
        return p->tok;
    }
    free(p->word);
    p->word = NULL;
    p->quoted = 0;
    skip_blanks_and_comments(p);
    p->tok_start = p->pos;
    p->tok_line = p->line;
    const char *s = p->src + p->pos;
    char c = *s;
    if (c == 0)
        return p->tok = T_EOF;
    if (c == '\n') {
        p->pos++;
        p->line++;
        if (p->npending)
            read_heredocs(p);
        return p->tok = T_NEWLINE;
    }
    /* an IO number: digits directly followed by < or > */
    size_t digits = 0;
    while (isdigit((unsigned char)s[digits]))
        digits++;
    if (digits && digits < 5 && (s[digits] == '<' || s[digits] == '>')) {
        p->redir_fd = atoi(s);
        s += digits;
        p->pos += digits;
        c = *s;
    } else {
        p->redir_fd = -1;
    }
    if (c == '<' || c == '>') {
        int len = 1;
        if (c == '<') {
            if (s[1] == '<')
                p->redir_type = R_HEREDOC, len = s[2] == '-' ? 3 : 2;
            else if (s[1] == '&')
                p->redir_type = R_DUPIN, len = 2;
            else if (s[1] == '>')
                p->redir_type = R_RDWR, len = 2;
            else
                p->redir_type = R_IN;
        } else {
            if (s[1] == '>')
                p->redir_type = R_APPEND, len = 2;
            else if (s[1] == '&')
                p->redir_type = R_DUPOUT, len = 2;
            else if (s[1] == '|')
                p->redir_type = R_CLOBBER, len = 2;
            else
                p->redir_type = R_OUT;
        }
        /* remember <<- through the fd slot's sign trick: strip tabs flag in quoted */
        p->quoted = (p->redir_type == R_HEREDOC && len == 3);
        p->pos += len;
        return p->tok = T_REDIR;
    }
    switch (c) {
    case ';':
        if (s[1] == ';') {
            p->pos += 2;
            return p->tok = T_DSEMI;
        }
        p->pos++;
        return p->tok = T_SEMI;
    case '&':
        if (s[1] == '&') {
            p->pos += 2;
            return p->tok = T_AND;
        }
        p->pos++;
        return p->tok = T_AMP;
    case '|':
        if (s[1] == '|') {
            p->pos += 2;
            return p->tok = T_OR;
        }
        p->pos++;
        return p->tok = T_PIPE;
    case '(':
        p->pos++;
        return p->tok = T_LPAREN;
    case ')':
        p->pos++;
        return p->tok = T_RPAREN;
    }
    /* a word */
    const char *q = s;
    while (!FAILED(p) && !is_meta(*q)) {
        if (*q == '\\') {
            if (!q[1]) {
                q++;
                break;
            }
            if (q[1] == '\n') {
                p->line++;
            }
            p->quoted = 1;
            q += 2;
        } else if (*q == '\'') {
            p->quoted = 1;
            q = scan_single(p, q + 1);
        } else if (*q == '"') {
            p->quoted = 1;
            q = scan_double(p, q + 1);
        } else if (*q == '`') {
            q = scan_backquote(p, q + 1);
        } else if (*q == '$') {
            q = scan_dollar(p, q);
        } else {
            q++;
        }
    }
    p->word = xstrndup(s, q - s);
    p->pos = q - p->src;
    return p->tok = T_WORD;
}

static void unget(struct Parser *p)
{
    p->peeked = 1;
}

static const char *tok_text(struct Parser *p)
{
    switch (p->tok) {
    case T_EOF: return "end of file";
    case T_WORD: return p->word;
    case T_NEWLINE: return "newline";
    case T_SEMI: return ";";
    case T_DSEMI: return ";;";
    case T_AMP: return "&";
    case T_AND: return "&&";
    case T_OR: return "||";
    case T_PIPE: return "|";
    case T_LPAREN: return "(";
    case T_RPAREN: return ")";
    case T_REDIR: return "redirection";
    }
    return "?";
}

static void unexpected(struct Parser *p)
{
    if (p->tok == T_EOF)
        fail(p, PARSE_INCOMPLETE, "unexpected end of file");
    else
        fail(p, PARSE_ERROR, "unexpected \"%s\"", tok_text(p));
}

static int is_reserved(struct Parser *p, const char *w)
{
    return p->tok == T_WORD && !p->quoted && !strcmp(p->word, w);
}

static const char *const RESERVED[] = {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac",
                                       "while", "until", "for", "{", "}", "!", "in", NULL};

static int is_any_reserved(struct Parser *p)
{
    if (p->tok != T_WORD || p->quoted)
        return 0;
    for (int i = 0; RESERVED[i]; i++)
        if (!strcmp(p->word, RESERVED[i]))
            return 1;
    return 0;
}

/* ---- here-documents ---- */

static char *unquote_delimiter(const char *w, int *quoted)
{
    Str out = {0};
    *quoted = 0;
    for (const char *s = w; *s; s++) {
        if (*s == '\\' && s[1]) {
            *quoted = 1;
            str_putc(&out, *++s);
        } else if (*s == '\'' || *s == '"') {
            *quoted = 1;
        } else {
            str_putc(&out, *s);
        }
    }
    return str_take(&out);
}

static void read_heredocs(struct Parser *p)
{
    for (int i = 0; i < p->npending; i++) {
        Redir *r = p->pending[i];
        int strip_tabs = r->fd < -1; /* marked by the parser for <<- */
        if (strip_tabs)
            r->fd = -(r->fd + 10) ;
        int quoted;
        char *delim = unquote_delimiter(r->word, &quoted);
        r->quoted = quoted;
        Str body = {0};
        for (;;) {
            const char *line = p->src + p->pos;
            if (!*line) {
                if (!FAILED(p))
                    fail(p, PARSE_INCOMPLETE, "here-document delimited by end of file");
                break;
            }
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            const char *text = line;
            if (strip_tabs)
                while (len && *text == '\t')
                    text++, len--;
            p->pos = (nl ? nl + 1 : line + strlen(line)) - p->src;
            p->line++;
            if (len == strlen(delim) && !strncmp(text, delim, len))
                break;
            if (!nl) {
                /* the last line has no newline yet: more input may come */
                fail(p, PARSE_INCOMPLETE, "here-document delimited by end of file");
                break;
            }
            str_putn(&body, text, len);
            str_putc(&body, '\n');
        }
        free(delim);
        r->heredoc = str_take(&body);
    }
    p->npending = 0;
}

/* ---- grammar ---- */

static Node *new_node(struct Parser *p, int type)
{
    Node *n = xmalloc(sizeof *n);
    memset(n, 0, sizeof *n);
    n->type = type;
    n->line = p->tok_line;
    return n;
}

static void set_src(struct Parser *p, Node *n, size_t start)
{
    size_t end = p->peeked ? p->tok_start : p->pos;
    while (end > start && (p->src[end - 1] == ' ' || p->src[end - 1] == '\t' || p->src[end - 1] == '\n'))
        end--;
    free(n->src);
    n->src = xstrndup(p->src + start, end - start);
}

static Node *parse_list(struct Parser *p, int toplevel);
static Node *parse_and_or(struct Parser *p);
static Node *parse_pipeline(struct Parser *p);
static Node *parse_command_node(struct Parser *p);

static void skip_newlines(struct Parser *p)
{
    while (next(p) == T_NEWLINE)
        ;
    unget(p);
}

static int parse_redirect(struct Parser *p, Redir ***tail)
{
    int type = p->redir_type;
    int fd = p->redir_fd;
    int strip = p->quoted;
    if (next(p) != T_WORD) {
        unexpected(p);
        return -1;
    }
    Redir *r = xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    r->type = type;
    if (fd < 0)
        fd = (type == R_IN || type == R_DUPIN || type == R_HEREDOC || type == R_RDWR) ? 0 : 1;
    r->fd = fd;
    r->word = p->word;
    p->word = NULL;
    if (type == R_HEREDOC) {
        if (p->npending < 64) {
            if (strip)
                r->fd = -(r->fd + 10); /* decoded in read_heredocs */
            p->pending[p->npending++] = r;
        }
    }
    **tail = r;
    *tail = &r->next;
    return 0;
}

/* Compound commands: the body up to one of the closing words. */
static Node *parse_compound_list(struct Parser *p)
{
    skip_newlines(p);
    return parse_list(p, 0);
}

static int expect_word(struct Parser *p, const char *w)
{
    next(p);
    if (!is_reserved(p, w)) {
        unexpected(p);
        return -1;
    }
    return 0;
}

/* POSIX compound lists are never empty: `if then fi` is an error at "then". */
static int require_list(struct Parser *p, Node *list)
{
    if (FAILED(p))
        return -1;
    if (!list) {
        next(p);
        unexpected(p);
        return -1;
    }
    return 0;
}

static Node *parse_if(struct Parser *p)
{
    Node *n = new_node(p, N_IF);
    n->left = parse_compound_list(p);
    if (require_list(p, n->left) || expect_word(p, "then"))
        return n;
    n->right = parse_compound_list(p);
    if (require_list(p, n->right))
        return n;
    next(p);
    if (is_reserved(p, "elif")) {
        n->alt = parse_if(p);
        return n;
    }
    if (is_reserved(p, "else")) {
        n->alt = parse_compound_list(p);
        if (FAILED(p))
            return n;
        next(p);
    }
    if (!is_reserved(p, "fi"))
        unexpected(p);
    return n;
}

static Node *parse_loop(struct Parser *p, int type)
{
    Node *n = new_node(p, type);
    n->left = parse_compound_list(p);
    if (require_list(p, n->left) || expect_word(p, "do"))
        return n;
    n->right = parse_compound_list(p);
    if (!require_list(p, n->right))
        expect_word(p, "done");
    return n;
}

static Node *parse_for(struct Parser *p)
{
    Node *n = new_node(p, N_FOR);
    if (next(p) != T_WORD || !is_name(p->word, strlen(p->word))) {
        unexpected(p);
        return n;
    }
    n->name = p->word;
    p->word = NULL;
    skip_newlines(p);
    next(p);
    if (is_reserved(p, "in")) {
        Vec words = {0};
        while (next(p) == T_WORD) {
            vec_push(&words, p->word);
            p->word = NULL;
        }
        n->list = vec_take(&words);
        if (p->tok != T_SEMI && p->tok != T_NEWLINE) {
            unexpected(p);
            return n;
        }
        skip_newlines(p);
    } else if (p->tok == T_SEMI) {
        skip_newlines(p);
    } else {
        unget(p);
    }
    if (expect_word(p, "do"))
        return n;
    n->right = parse_compound_list(p);
    if (!FAILED(p))
        expect_word(p, "done");
    return n;
}

static Node *parse_case(struct Parser *p)
{
    Node *n = new_node(p, N_CASE);
    if (next(p) != T_WORD) {
        unexpected(p);
        return n;
    }
    n->name = p->word;
    p->word = NULL;
    skip_newlines(p);
    if (expect_word(p, "in"))
        return n;
    CaseItem **tail = &n->items;
    for (;;) {
        skip_newlines(p);
        next(p);
        if (is_reserved(p, "esac"))
            return n;
        if (p->tok == T_LPAREN)
            next(p);
        Vec pats = {0};
        for (;;) {
            if (p->tok != T_WORD) {
                strv_free(vec_take(&pats));
                unexpected(p);
                return n;
            }
            vec_push(&pats, p->word);
            p->word = NULL;
            next(p);
            if (p->tok == T_PIPE) {
                next(p);
                continue;
            }
            if (p->tok == T_RPAREN)
                break;
            strv_free(vec_take(&pats));
            unexpected(p);
            return n;
        }
        CaseItem *item = xmalloc(sizeof *item);
        item->patterns = vec_take(&pats);
        item->next = NULL;
        skip_newlines(p);
        next(p);
        if (p->tok == T_DSEMI || is_reserved(p, "esac")) {
            item->body = NULL;
        } else {
            unget(p);
            item->body = parse_list(p, 0);
            if (FAILED(p)) {
                free(item);
                return n;
            }
            next(p);
        }
        *tail = item;
        tail = &item->next;
        if (is_reserved(p, "esac"))
            return n;
        if (p->tok != T_DSEMI) {
            unexpected(p);
            return n;
        }
    }
}

static Node *parse_function_body(struct Parser *p, char *name, size_t start)
{
    Node *n = new_node(p, N_FUNC);
    n->name = name;
    skip_newlines(p);
    n->left = parse_command_node(p);
    if (!FAILED(p) && n->left && n->left->type == N_SIMPLE) {
        fail(p, PARSE_ERROR, "unexpected \"%s\" in function definition", n->left->words && n->left->words[0] ? n->left->words[0] : "");
    }
    if (!FAILED(p) && !n->left)
        unexpected(p);
    set_src(p, n, start);
    return n;
}

static Node *parse_simple(struct Parser *p)
{
    Node *n = new_node(p, N_SIMPLE);
    size_t start = p->tok_start;
    Vec assigns = {0}, words = {0};
    Redir **rtail = &n->redirs;
    for (;;) {
        next(p);
        if (p->tok == T_REDIR) {
            if (parse_redirect(p, &rtail))
                break;
            continue;
        }
        if (p->tok != T_WORD) {
            unget(p);
            break;
        }
        if (words.n == 0 && is_assignment(p->word)) {
            vec_push(&assigns, p->word);
            p->word = NULL;
            continue;
        }
        size_t after = p->pos;
        while (p->src[after] == ' ' || p->src[after] == '\t')
            after++;
        if (words.n == 0 && assigns.n == 0 && !n->redirs && !strcmp(p->word, "function") && (isalpha((unsigned char)p->src[after]) || p->src[after] == '_')) {
            /* function NAME [()] compound-command (ksh, bash and ash; not POSIX) */
            free(p->word);
            p->word = NULL;
            next(p);
            char *name = p->word;
            p->word = NULL;
            size_t rest = p->pos;
            while (p->src[rest] == ' ' || p->src[rest] == '\t')
                rest++;
            if (p->src[rest] == '(' && (next(p) != T_LPAREN || next(p) != T_RPAREN)) {
                unexpected(p);
                free(name);
                return n;
            }
            free(n);
            if (!name || !is_name(name, strlen(name))) {
                fail(p, PARSE_ERROR, "bad function name \"%s\"", name ? name : "");
                free(name);
                return NULL;
            }
            return parse_function_body(p, name, start);
        }
        /* looking for "(" by hand: a token read ahead could read a here-document */
        if (words.n == 0 && assigns.n == 0 && !n->redirs && p->src[after] == '(') {
            /* name ( ) compound-command: a function definition */
            char *name = p->word;
            size_t save = p->pos;
            int save_line = p->line;
            p->word = NULL;
            if (next(p) == T_LPAREN) {
                if (next(p) == T_RPAREN) {
                    free(n);
                    if (!is_name(name, strlen(name))) {
                        fail(p, PARSE_ERROR, "bad function name \"%s\"", name);
                        free(name);
                        return NULL;
                    }
                    return parse_function_body(p, name, start);
                }
                unexpected(p);
                free(name);
                return n;
            }
            p->peeked = 0;
            p->pos = save;
            p->line = save_line;
            p->tok = T_WORD;
            p->word = name;
        }
        vec_push(&words, p->word);
        p->word = NULL;
    }
    n->assigns = vec_take(&assigns);
    n->words = vec_take(&words);
    if (!n->assigns[0] && !n->words[0] && !n->redirs) {
        node_free(n);
        return NULL;
    }
    set_src(p, n, start);
    return n;
}

static void parse_trailing_redirects(struct Parser *p, Node *n)
{
    Redir **tail = &n->redirs;
    while (*tail)
        tail = &(*tail)->next;
    while (!FAILED(p) && next(p) == T_REDIR)
        parse_redirect(p, &tail);
    if (!FAILED(p))
        unget(p);
}

static Node *parse_command_node(struct Parser *p)
{
    if (++p->depth > MAX_DEPTH) {
        fail(p, PARSE_ERROR, "nested too deeply");
        return NULL;
    }
    Node *n = NULL;
    next(p);
    size_t start = p->tok_start;
    if (p->tok == T_LPAREN) {
        n = new_node(p, N_SUBSHELL);
        size_t body_start = p->pos;
        n->left = parse_compound_list(p);
        if (!FAILED(p)) {
            if (next(p) != T_RPAREN)
                unexpected(p);
            else if (!n->left)
                fail(p, PARSE_ERROR, "unexpected \")\"");
            else {
                n->src = xstrndup(p->src + body_start, p->tok_start - body_start);
            }
        }
        if (!FAILED(p))
            parse_trailing_redirects(p, n);
    } else if (p->tok == T_WORD && !p->quoted && !strcmp(p->word, "{")) {
        n = new_node(p, N_GROUP);
        n->left = parse_compound_list(p);
        if (!FAILED(p) && expect_word(p, "}") == 0 && !n->left)
            fail(p, PARSE_ERROR, "unexpected \"}\"");
        if (!FAILED(p))
            parse_trailing_redirects(p, n);
        if (!FAILED(p))
            set_src(p, n, start);
    } else if (is_reserved(p, "if")) {
        n = parse_if(p);
        if (!FAILED(p))
            parse_trailing_redirects(p, n);
        if (!FAILED(p))
            set_src(p, n, start);
    } else if (is_reserved(p, "while") || is_reserved(p, "until")) {
        n = parse_loop(p, is_reserved(p, "while") ? N_WHILE : N_UNTIL);
        if (!FAILED(p))
            parse_trailing_redirects(p, n);
        if (!FAILED(p))
            set_src(p, n, start);
    } else if (is_reserved(p, "for")) {
        n = parse_for(p);
        if (!FAILED(p))
            parse_trailing_redirects(p, n);
        if (!FAILED(p))
            set_src(p, n, start);
    } else if (is_reserved(p, "case")) {
        n = parse_case(p);
        if (!FAILED(p))
            parse_trailing_redirects(p, n);
        if (!FAILED(p))
            set_src(p, n, start);
    } else if (is_any_reserved(p) && strcmp(p->word, "!")) {
        /* a word that closes a construct ends the list; the construct checks it */
        unget(p);
    } else if (p->tok == T_WORD || p->tok == T_REDIR) {
        unget(p);
        n = parse_simple(p);
    } else {
        unget(p);
    }
    p->depth--;
    return n;
}

static Node *parse_pipeline(struct Parser *p)
{
    size_t start;
    next(p);
    start = p->tok_start;
    int bang = 0;
    while (is_reserved(p, "!")) {
        bang = !bang;
        next(p);
    }
    unget(p);
    Node *first = parse_command_node(p);
    if (FAILED(p))
        return first;
    if (!first) {
        if (bang) {
            next(p);
            unexpected(p);
        }
        return NULL;
    }
    Node *n = first;
    if (next(p) == T_PIPE) {
        n = new_node(p, N_PIPE);
        n->cmds = xmalloc(sizeof(Node *));
        n->cmds[0] = first;
        n->ncmds = 1;
        do {
            skip_newlines(p);
            Node *c = parse_command_node(p);
            if (FAILED(p))
                return n;
            if (!c) {
                next(p);
                unexpected(p);
                return n;
            }
            n->cmds = xrealloc(n->cmds, (n->ncmds + 1) * sizeof(Node *));
            n->cmds[n->ncmds++] = c;
        } while (next(p) == T_PIPE);
    }
    unget(p);
    if (bang) {
        Node *b = new_node(p, N_NOT);
        b->left = n;
        n = b;
    }
    /* a single command keeps its own text (a subshell's is its body) */
    if (n != first)
        set_src(p, n, start);
    return n;
}

static Node *parse_and_or(struct Parser *p)
{
    Node *left = parse_pipeline(p);
    if (FAILED(p) || !left)
        return left;
    for (;;) {
        int t = next(p);
        if (t != T_AND && t != T_OR) {
            unget(p);
            return left;
        }
        skip_newlines(p);
        Node *right = parse_pipeline(p);
        if (FAILED(p))
            return left;
        if (!right) {
            next(p);
            unexpected(p);
            return left;
        }
        Node *n = new_node(p, t == T_AND ? N_AND : N_OR);
        n->left = left;
        n->right = right;
        left = n;
    }
}

/* A list: and-or lists separated by ; & (and newlines unless toplevel). */
static Node *parse_list(struct Parser *p, int toplevel)
{
    Node *list = NULL;
    for (;;) {
        next(p);
        size_t start = p->tok_start;
        unget(p);
        Node *cmd = parse_and_or(p);
        if (FAILED(p))
            return list;
        if (!cmd)
            break;
        int t = next(p);
        if (t == T_AMP) {
            Node *bg = new_node(p, N_BG);
            bg->left = cmd;
            set_src(p, bg, start);
            /* the & itself is not part of the command's text */
            size_t len = strlen(bg->src);
            if (len && bg->src[len - 1] == '&')
                bg->src[len - 1] = 0;
            cmd = bg;
        }
        if (!list) {
            list = cmd;
        } else {
            Node *seq = new_node(p, N_SEQ);
            seq->left = list;
            seq->right = cmd;
            list = seq;
        }
        if (t == T_AMP || t == T_SEMI) {
            if (toplevel) {
                next(p);
                unget(p);
                if (p->tok == T_NEWLINE || p->tok == T_EOF)
                    return list;
            } else {
                skip_newlines(p);
            }
            continue;
        }
        if (t == T_NEWLINE) {
            if (toplevel) {
                unget(p);
                return list;
            }
            skip_newlines(p);
            continue;
        }
        unget(p);
        break;
    }
    return list;
}

/* ---- entry points ---- */

int parse_command(const char *src, size_t *pos, int *line, Node **out, char *err, size_t errlen)
{
    struct Parser p = {0};
    p.src = src;
    p.pos = *pos;
    p.line = *line;
    p.err = err;
    p.errlen = errlen;
    *out = NULL;
    /* skip blank lines first */
    for (;;) {
        skip_blanks_and_comments(&p);
        if (p.src[p.pos] == '\n') {
            p.pos++;
            p.line++;
            continue;
        }
        break;
    }
    if (!p.src[p.pos]) {
        *pos = p.pos;
        *line = p.line;
        return PARSE_EOF;
    }
    Node *n = parse_list(&p, 1);
    if (!FAILED(&p)) {
        int t = next(&p);
        if (t != T_NEWLINE && t != T_EOF)
            unexpected(&p);
        else if (p.npending)
            read_heredocs(&p);
    }
    free(p.word);
    if (FAILED(&p)) {
        node_free(n);
        *line = p.line;
        return p.status;
    }
    *pos = p.pos;
    *line = p.line;
    *out = n;
    return n ? PARSE_OK : PARSE_EMPTY;
}

/* Parses the body of $( ... ) to find its closing parenthesis. Returns 0 ok (end set past ')'). */
static int parse_cmdsubst_body(struct Parser *outer, const char *start, const char **end)
{
    struct Parser p = {0};
    char err[128];
    p.src = start;
    p.pos = 0;
    p.line = outer->line;
    p.err = err;
    p.errlen = sizeof err;
    p.depth = outer->depth + 1;
    if (p.depth > MAX_DEPTH) {
        fail(outer, PARSE_ERROR, "nested too deeply");
        *end = start;
        return -1;
    }
    Node *n = parse_compound_list(&p);
    node_free(n);
    if (!FAILED(&p)) {
        if (next(&p) != T_RPAREN)
            unexpected(&p);
    }
    free(p.word);
    if (FAILED(&p)) {
        fail(outer, p.status, "%s", err);
        *end = start + p.pos;
        return -1;
    }
    outer->line = p.line;
    *end = start + p.pos;
    return 0;
}

const char *skip_cmdsubst(const char *s)
{
    struct Parser p = {0};
    char err[8];
    p.err = err;
    p.errlen = sizeof err;
    const char *end;
    if (parse_cmdsubst_body(&p, s, &end))
        return NULL;
    return end;
}

void node_free(Node *n)
{
    /* Nodes live as long as the command runs; functions keep theirs. */
    (void)n;
}
