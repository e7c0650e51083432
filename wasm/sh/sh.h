/*
 * sh: Berth's POSIX shell. It never forks: external commands, pipeline stages,
 * subshells and command substitutions are separate processes started with
 * posix_spawn; a subshell is this program again, given the parent's state
 * (variables, functions, options, positional parameters) as a prelude.
 */
#ifndef SH_H
#define SH_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- memory and strings (util.c) ---- */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

typedef struct {
    char *s;
    size_t len, cap;
} Str;
void str_putc(Str *b, char c);
void str_puts(Str *b, const char *s);
void str_putn(Str *b, const char *s, size_t n);
char *str_take(Str *b); /* returns the NUL-terminated buffer, resets b */

typedef struct {
    char **v;
    int n, cap;
} Vec;
void vec_push(Vec *v, char *s);
char **vec_take(Vec *v); /* NULL-terminated */
void strv_free(char **v);

/* ---- syntax tree (parse.c) ---- */
enum {
    R_IN, R_OUT, R_CLOBBER, R_APPEND, R_RDWR, R_DUPIN, R_DUPOUT, R_HEREDOC,
};

typedef struct Redir {
    int type;
    int fd;
    char *word;    /* target, raw (still quoted) */
    char *heredoc; /* here-document body */
    int quoted;    /* delimiter was quoted: no expansion of the body */
    struct Redir *next;
} Redir;

enum {
    N_SIMPLE, N_PIPE, N_AND, N_OR, N_SEQ, N_BG, N_NOT, N_SUBSHELL, N_GROUP,
    N_IF, N_WHILE, N_UNTIL, N_FOR, N_CASE, N_FUNC,
};

typedef struct CaseItem {
    char **patterns;
    struct Node *body;
    struct CaseItem *next;
} CaseItem;

typedef struct Node {
    int type;
    int line;
    char *src; /* this command's source text (for subshells and function bodies) */
    Redir *redirs;
    /* N_SIMPLE */
    char **assigns;
    char **words;
    /* binary nodes, N_NOT, N_BG, N_SUBSHELL, N_GROUP, loops, N_FUNC body */
    struct Node *left, *right;
    /* N_PIPE */
    struct Node **cmds;
    int ncmds;
    /* N_IF: left = cond, right = then, alt = else; loops: left = cond, right = body */
    struct Node *alt;
    /* N_FOR: name, list (NULL: "$@"); N_FUNC: name; N_CASE: name = word */
    char *name;
    char **list;
    CaseItem *items;
} Node;

enum { PARSE_OK, PARSE_EMPTY, PARSE_EOF, PARSE_INCOMPLETE, PARSE_ERROR };

typedef struct Parser Parser;
/* Parses one complete command (up to a newline at top level) from src+*pos. */
int parse_command(const char *src, size_t *pos, int *line, Node **out, char *err, size_t errlen);
/* Finds the end of "$(" ... ")" starting after "$(" in s; NULL if unterminated. */
const char *skip_cmdsubst(const char *s);
void node_free(Node *n);
int is_name(const char *s, size_t n);
int is_assignment(const char *w);

/* ---- variables (vars.c) ---- */
enum { V_EXPORT = 1, V_READONLY = 2 };
char *var_get(const char *name);
int var_set(const char *name, const char *value, int flags); /* -1 if readonly */
int var_unset(const char *name);
int var_flags(const char *name);
void var_export(const char *name);
void var_readonly(const char *name);
char **var_environ(void); /* exported variables as NAME=value */
void var_each(void (*fn)(const char *name, const char *value, int flags, void *ctx), void *ctx);
void var_push_scope(void);
void var_pop_scope(void);
int var_make_local(const char *name);
void vars_init(char **envp);

/* functions */
void func_set(const char *name, Node *body, const char *src);
Node *func_get(const char *name);
const char *func_src(const char *name);
int func_unset(const char *name);
void func_each(void (*fn)(const char *name, const char *src, void *ctx), void *ctx);

/* aliases */
void alias_set(const char *name, const char *value);
const char *alias_get(const char *name);
int alias_unset(const char *name);
void alias_clear(void);
void alias_each(void (*fn)(const char *name, const char *value, void *ctx), void *ctx);

/* ---- expansion (expand.c) ---- */
#define EXP_SPLIT 1  /* field splitting and pathname expansion */
#define EXP_ASSIGN 2 /* an assignment value: tilde after ':' */
#define EXP_PATTERN 4 /* keep pattern characters quoted (case, ${x#pat}) */
#define EXP_HEREDOC 8 /* here-document: only $, ` and \ are special */
int expand_words(char **words, Vec *out); /* fields; -1 on error */
char *expand_word(const char *word, int flags); /* one string; NULL on error */
char *expand_pattern(const char *word); /* a pattern with quoted chars escaped */
int pattern_match(const char *pattern, const char *s); /* fnmatch-like, '\\' escapes */
char *expand_heredoc(const char *body); /* a here-document body: $, ` and \ only */
char *command_substitution(const char *script, int *status);

/* ---- arithmetic (arith.c) ---- */
int arith_eval(const char *expr, long long *result); /* 0 ok, -1 error (message printed) */

/* ---- execution (exec.c) ---- */
struct Shell {
    char *name;        /* $0 */
    char **params;     /* $1... */
    int nparams;
    int status;        /* $? */
    pid_t rootpid;     /* $$ */
    pid_t lastbg;      /* $! */
    int interactive;
    int opt_e, opt_u, opt_x, opt_f, opt_n, opt_v, opt_C, opt_a, opt_m;
    int loop_depth;
    int breaking, continuing; /* pending break/continue levels */
    int returning;            /* a return is unwinding */
    int exiting;              /* an exit is unwinding */
    int func_depth;
    int errexit_suppressed;   /* inside if/while conditions, && || lists, ! */
    int eval_depth;
    int line;
    char *self;        /* path to run this shell again; NULL until shell_self() looks it up */
    const char *self_argv0;   /* how this shell was started and the PATH then, for that lookup */
    char *self_search;
    char *traps[65];
    int in_trap;
    int fg_signals;    /* root of a terminal session: Ctrl-C reaches this shell, it forwards it */
    int interrupted;   /* a Ctrl-C stopped the foreground job: unwind to the prompt */
    int substitutions; /* command substitutions run so far: an empty command takes the last one's status */
};
extern struct Shell sh;

int run_node(Node *n);
int run_string(const char *src, const char *name); /* parse and run all of it */
int run_builtin_or_command(char **argv, char **assigns, Redir *redirs);
void sh_exit(int status) __attribute__((noreturn));
char *subshell_script(const char *body);
pid_t spawn_shell(const char *body, int in, int out, int extra_close);
int wait_pid(pid_t pid);
void foreground_signals_init(void);
void foreground_signals_reset(void);
void jobs_add(pid_t pid, const char *cmd);
void jobs_list(void);
int jobs_wait(pid_t pid, int *status); /* -1 unknown pid */
int jobs_wait_all(void);
void run_exit_trap(void);

/* ---- builtins (builtins.c) ---- */
typedef int (*builtin_fn)(int argc, char **argv);
builtin_fn builtin_find(const char *name);
int is_special_builtin(const char *name);
const char *builtin_name_at(int i);
int printf_builtin(int argc, char **argv);
/* The byte of "\\xHH" (bash's and ash's printf, echo -e) whose digits start at s: returns how many (0-2). */
int hex_escape(const char *s, char *byte);
int test_builtin(int argc, char **argv);

/* ---- errors ---- */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *find_in_path(const char *name);
const char *shell_self(void);

/* ---- interactive (main.c, lineedit.c) ---- */
char *prompt_string(const char *ps);

#endif
