/* Tab completion for the interactive shell: commands in command position, paths elsewhere. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lineedit.h"
#include "sh.h"

static void add_unique(Vec *v, char *s)
{
    for (int i = 0; i < v->n; i++) {
        if (!strcmp(v->v[i], s)) {
            free(s);
            return;
        }
    }
    vec_push(v, s);
}

static void add_paths(Vec *v, const char *word, int executables_only)
{
    const char *slash = strrchr(word, '/');
    char *dir = slash ? xstrndup(word, slash - word + 1) : xstrdup("");
    const char *base = slash ? slash + 1 : word;
    DIR *d = opendir(*dir ? dir : ".");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strncmp(e->d_name, base, strlen(base)))
                continue;
            if (e->d_name[0] == '.' && base[0] != '.')
                continue;
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            Str full = {0};
            str_puts(&full, dir);
            str_puts(&full, e->d_name);
            struct stat st;
            int is_dir = stat(full.s, &st) == 0 && S_ISDIR(st.st_mode);
            if (executables_only && !is_dir && !(st.st_mode & 0111) && st.st_mode)
                ;
            if (is_dir)
                str_putc(&full, '/');
            add_unique(v, str_take(&full));
        }
        closedir(d);
    }
    free(dir);
}

static void add_function(const char *name, const char *src, void *ctx)
{
    (void)src;
    const char **args = ctx;
    if (!strncmp(name, args[0], strlen(args[0])))
        add_unique((Vec *)args[1], xstrdup(name));
}

static void add_alias(const char *name, const char *value, void *ctx)
{
    (void)value;
    add_function(name, NULL, ctx);
}

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **shell_completer(const char *word, int is_command)
{
    Vec v = {0};
    if (is_command) {
        for (int i = 0; builtin_name_at(i); i++)
            if (!strncmp(builtin_name_at(i), word, strlen(word)))
                add_unique(&v, xstrdup(builtin_name_at(i)));
        const void *args[2] = {word, &v};
        func_each(add_function, args);
        alias_each(add_alias, args);
        const char *path = var_get("PATH");
        for (const char *p = path ? path : ""; *p;) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);
            char *dir = xstrndup(p, len);
            DIR *d = opendir(*dir ? dir : ".");
            if (d) {
                struct dirent *e;
                while ((e = readdir(d)))
                    if (e->d_name[0] != '.' && !strncmp(e->d_name, word, strlen(word)))
                        add_unique(&v, xstrdup(e->d_name));
                closedir(d);
            }
            free(dir);
            if (!colon)
                break;
            p = colon + 1;
        }
    } else {
        add_paths(&v, word, 0);
    }
    if (v.n)
        qsort(v.v, v.n, sizeof(char *), compare);
    return vec_take(&v);
}
