/* Memory, growable strings and string vectors. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        write(2, "sh: out of memory\n", 18);
        _exit(2);
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        write(2, "sh: out of memory\n", 18);
        _exit(2);
    }
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void str_grow(Str *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        b->cap = (b->len + extra + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
}

void str_putc(Str *b, char c)
{
    str_grow(b, 1);
    b->s[b->len++] = c;
    b->s[b->len] = 0;
}

void str_putn(Str *b, const char *s, size_t n)
{
    str_grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void str_puts(Str *b, const char *s)
{
    str_putn(b, s, strlen(s));
}

char *str_take(Str *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void vec_push(Vec *v, char *s)
{
    if (v->n + 2 > v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->v = xrealloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->n++] = s;
    v->v[v->n] = NULL;
}

char **vec_take(Vec *v)
{
    if (!v->v)
        vec_push(v, NULL), v->n = 0;
    char **r = v->v;
    v->v = NULL;
    v->n = v->cap = 0;
    return r;
}

void strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}
