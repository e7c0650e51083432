/*
 * The helper programs the oils-spec cases call by name (see
 * ../shared/conformance/README.md), as one multi-call test guest:
 *   argv.py ARGS...           each argument as Python 2's repr, in a list
 *   printenv.py NAMES...      each variable's value, or None
 *   stdout_stderr.py [O] [E] [S]  O to stdout, E to stderr, exit S
 *   read_from_fd.py FD...     up to 1024 bytes from each fd, as "FD: bytes"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void python_repr(const char *s)
{
    char quote = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    putchar(quote);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\')
            fputs("\\\\", stdout);
        else if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p == '\t')
            fputs("\\t", stdout);
        else if (*p == '\r')
            fputs("\\r", stdout);
        else if (*p == (unsigned char)quote)
            printf("\\%c", quote);
        else if (*p < 32 || *p >= 127)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
    putchar(quote);
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (!strcmp(name, "argv.py")) {
        putchar('[');
        for (int i = 1; i < argc; i++) {
            if (i > 1)
                fputs(", ", stdout);
            python_repr(argv[i]);
        }
        puts("]");
        return 0;
    }
    if (!strcmp(name, "printenv.py")) {
        for (int i = 1; i < argc; i++) {
            const char *v = getenv(argv[i]);
            puts(v ? v : "None");
        }
        return 0;
    }
    if (!strcmp(name, "stdout_stderr.py")) {
        puts(argc > 1 ? argv[1] : "STDOUT");
        fflush(stdout);
        fprintf(stderr, "%s\n", argc > 2 ? argv[2] : "STDERR");
        return argc > 3 ? atoi(argv[3]) : 0;
    }
    if (!strcmp(name, "read_from_fd.py")) {
        for (int i = 1; i < argc; i++) {
            int fd = atoi(argv[i]);
            char buf[1024];
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0) {
                fprintf(stderr, "FATAL: Error reading from fd %d: %s\n", fd, strerror(errno));
                return 1;
            }
            printf("%d: ", fd);
            fflush(stdout);
            fwrite(buf, 1, n, stdout);
        }
        return 0;
    }
    fprintf(stderr, "%s: unknown helper\n", name);
    return 2;
}
