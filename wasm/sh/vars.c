/* Shell variables (with export/readonly flags and function-local scopes), functions and aliases. */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

typedef struct Var {
    char *name;
    char *value; /* NULL: declared but unset (export/readonly/local of an unset name) */
    int flags;
    struct Var *next;
} Var;

#define BUCKETS 256
static Var *table[BUCKETS];

/* A saved variable of an outer scope, restored when a function returns. */
typedef struct Saved {
    char *name;
    char *value;
    int flags;
    int existed;
    struct Saved *next;
} Saved;

typedef struct Scope {
    Saved *saved;
    struct Scope *up;
} Scope;
static Scope *scopes;

static unsigned hash(const char *s)
{
    unsigned h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % BUCKETS;
}

static Var *lookup(const char *name)
{
    for (Var *v = table[hash(name)]; v; v = v->next)
        if (!strcmp(v->name, name))
            return v;
    return NULL;
}

static Var *create(const char *name)
{
    Var *v = lookup(name);
    if (v)
        return v;
    v = xmalloc(sizeof *v);
    v->name = xstrdup(name);
    v->value = NULL;
    v->flags = 0;
    unsigned h = hash(name);
    v->next = table[h];
    table[h] = v;
    return v;
}

char *var_get(const char *name)
{
    Var *v = lookup(name);
    return v ? v->value : NULL;
}

int var_flags(const char *name)
{
    Var *v = lookup(name);
    return v ? v->flags : 0;
}

int var_set(const char *name, const char *value, int flags)
{
    Var *v = create(name);
    if (v->flags & V_READONLY) {
        /* an error that ends a non-interactive shell (dash) */
        sh_error("%s: is read only", name);
        if (!sh.interactive)
            sh_exit(2);
        return -1;
    }
    char *copy = xstrdup(value);
    free(v->value);
    v->value = copy;
    v->flags |= flags;
    if (sh.opt_a)
        v->flags |= V_EXPORT;
    return 0;
}

int var_unset(const char *name)
{
    unsigned h = hash(name);
    for (Var **p = &table[h]; *p; p = &(*p)->next) {
        Var *v = *p;
        if (strcmp(v->name, name))
            continue;
        if (v->flags & V_READONLY) {
            sh_error("%s: is read only", name);
            return -1;
        }
        *p = v->next;
        free(v->name);
        free(v->value);
        free(v);
        return 0;
    }
    return 0;
}

void var_export(const char *name)
{
    create(name)->flags |= V_EXPORT;
}

void var_readonly(const char *name)
{
    create(name)->flags |= V_READONLY;
}

char **var_environ(void)
{
    Vec out = {0};
    for (int i = 0; i < BUCKETS; i++) {
        for (Var *v = table[i]; v; v = v->next) {
            if (!(v->flags & V_EXPORT) || !v->value)
                continue;
            Str s = {0};
            str_puts(&s, v->name);
            str_putc(&s, '=');
            str_puts(&s, v->value);
            vec_push(&out, str_take(&s));
        }
    }
    return vec_take(&out);
}

void var_each(void (*fn)(const char *, const char *, int, void *), void *ctx)
{
    /* Sorted, as `set` and `export -p` print them. */
    Vec names = {0};
    for (int i = 0; i < BUCKETS; i++)
        for (Var *v = table[i]; v; v = v->next)
            vec_push(&names, v->name);
    for (int i = 1; i < names.n; i++)
        for (int j = i; j > 0 && strcmp(names.v[j - 1], names.v[j]) > 0; j--) {
            char *t = names.v[j];
            names.v[j] = names.v[j - 1];
            names.v[j - 1] = t;
        }
    for (int i = 0; i < names.n; i++) {
        Var *v = lookup(names.v[i]);
        fn(v->name, v->value, v->flags, ctx);
    }
    free(names.v);
}

void var_push_scope(void)
{
    Scope *s = xmalloc(sizeof *s);
    s->saved = NULL;
    s->up = scopes;
    scopes = s;
}

void var_pop_scope(void)
{
    Scope *s = scopes;
    if (!s)
        return;
    scopes = s->up;
    while (s->saved) {
        Saved *sv = s->saved;
        s->saved = sv->next;
        Var *v = create(sv->name);
        free(v->value);
        if (sv->existed) {
            v->value = sv->value;
            v->flags = sv->flags;
        } else {
            v->value = NULL;
            v->flags = 0;
            free(sv->value);
            var_unset(sv->name);
        }
        free(sv->name);
        free(sv);
    }
    free(s);
}

int var_make_local(const char *name)
{
    if (!scopes)
        return -1;
    for (Saved *sv = scopes->saved; sv; sv = sv->next)
        if (!strcmp(sv->name, name))
            return 0;
    Saved *sv = xmalloc(sizeof *sv);
    Var *v = lookup(name);
    sv->name = xstrdup(name);
    sv->existed = v != NULL;
    sv->value = v && v->value ? xstrdup(v->value) : NULL;
    sv->flags = v ? v->flags : 0;
    if (v && sv->existed && !v->value)
        sv->existed = 1;
    sv->next = scopes->saved;
    scopes->saved = sv;
    return 0;
}

void vars_init(char **envp)
{
    for (char **e = envp; e && *e; e++) {
        char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        char *name = xstrndup(*e, eq - *e);
        if (is_name(name, strlen(name))) {
            Var *v = create(name);
            free(v->value);
            v->value = xstrdup(eq + 1);
            v->flags |= V_EXPORT;
        }
        free(name);
    }
}

/* ---- functions ---- */
typedef struct Func {
    char *name;
    Node *body;
    char *src;
    struct Func *next;
} Func;
static Func *funcs;

void func_set(const char *name, Node *body, const char *src)
{
    for (Func *f = funcs; f; f = f->next) {
        if (!strcmp(f->name, name)) {
            f->body = body;
            free(f->src);
            f->src = xstrdup(src);
            return;
        }
    }
    Func *f = xmalloc(sizeof *f);
    f->name = xstrdup(name);
    f->body = body;
    f->src = xstrdup(src);
    f->next = funcs;
    funcs = f;
}

Node *func_get(const char *name)
{
    for (Func *f = funcs; f; f = f->next)
        if (!strcmp(f->name, name))
            return f->body;
    return NULL;
}

const char *func_src(const char *name)
{
    for (Func *f = funcs; f; f = f->next)
        if (!strcmp(f->name, name))
            return f->src;
    return NULL;
}

int func_unset(const char *name)
{
    for (Func **p = &funcs; *p; p = &(*p)->next) {
        if (!strcmp((*p)->name, name)) {
            Func *f = *p;
            *p = f->next;
            free(f->name);
            free(f->src);
            free(f);
            return 0;
        }
    }
    return -1;
}

void func_each(void (*fn)(const char *, const char *, void *), void *ctx)
{
    for (Func *f = funcs; f; f = f->next)
        fn(f->name, f->src, ctx);
}

/* ---- aliases ---- */
typedef struct Alias {
    char *name, *value;
    struct Alias *next;
} Alias;
static Alias *aliases;

void alias_set(const char *name, const char *value)
{
    for (Alias *a = aliases; a; a = a->next) {
        if (!strcmp(a->name, name)) {
            free(a->value);
            a->value = xstrdup(value);
            return;
        }
    }
    Alias *a = xmalloc(sizeof *a);
    a->name = xstrdup(name);
    a->value = xstrdup(value);
    a->next = aliases;
    aliases = a;
}

const char *alias_get(const char *name)
{
    for (Alias *a = aliases; a; a = a->next)
        if (!strcmp(a->name, name))
            return a->value;
    return NULL;
}

int alias_unset(const char *name)
{
    for (Alias **p = &aliases; *p; p = &(*p)->next) {
        if (!strcmp((*p)->name, name)) {
            Alias *a = *p;
            *p = a->next;
            free(a->name);
            free(a->value);
            free(a);
            return 0;
        }
    }
    return -1;
}

void alias_clear(void)
{
    while (aliases) {
        Alias *a = aliases;
        aliases = a->next;
        free(a->name);
        free(a->value);
        free(a);
    }
}

void alias_each(void (*fn)(const char *, const char *, void *), void *ctx)
{
    for (Alias *a = aliases; a; a = a->next)
        fn(a->name, a->value, ctx);
}
