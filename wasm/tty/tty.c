/*
 * stty and tput for Berth's terminals: one program, two commands.
 *
 * The kernel's terminal has a size, echo and line buffering, nothing else
 * (wasm/README.md, "Terminals"), kept per process, so this is the part of
 * stty and tput that means something there: the size (it follows the browser
 * window), the modes as this process sees them, and the escape sequences of
 * an xterm. Setting modes is refused: they would be this process's own.
 * toybox's stty needs the whole Linux termios, which the kernel does not have.
 *
 *   stty [-a | size]
 *   tput cols | lines | colors | clear | bold | sgr0 | setaf N | setab N | cup R C
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static int size(unsigned *cols, unsigned *rows)
{
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) && ioctl(1, TIOCGWINSZ, &ws))
        return -1;
    *cols = ws.ws_col;
    *rows = ws.ws_row;
    return 0;
}

static void print_mode(const struct termios *t, int all)
{
    unsigned cols = 0, rows = 0;
    size(&cols, &rows);
    printf("speed 38400 baud; rows %u; columns %u; line = 0;\n", rows, cols);
    if (all)
        printf("intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D;\n");
    printf("%sicanon %secho\n", t->c_lflag & ICANON ? "" : "-", t->c_lflag & ECHO ? "" : "-");
}

static int stty(int argc, char **argv)
{
    struct termios t;
    if (tcgetattr(0, &t)) {
        fprintf(stderr, "stty: 'standard input': %s\n", strerror(errno));
        return 1;
    }
    if (argc == 1 || (argc == 2 && !strcmp(argv[1], "-a"))) {
        print_mode(&t, argc == 2);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "size")) {
        unsigned cols, rows;
        if (size(&cols, &rows)) {
            fprintf(stderr, "stty: 'standard input': %s\n", strerror(errno));
            return 1;
        }
        printf("%u %u\n", rows, cols);
        return 0;
    }
    /* Modes set here would be this process's own: the kernel keeps one terminal state per process. */
    fprintf(stderr, "stty: invalid argument '%s'\nTry 'stty --help' for more information.\n", argv[1]);
    return 1;
}

static int color_number(const char *text, long *n)
{
    char *end;
    *n = strtol(text, &end, 10);
    return *text && !*end && *n >= 0 && *n < 256;
}

static int tput(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tput CAPNAME [PARAMETER...]\n");
        return 2;
    }
    const char *cap = argv[1];
    unsigned cols = 80, rows = 24;
    long n, m;
    if (!strcmp(cap, "cols") || !strcmp(cap, "lines")) {
        size(&cols, &rows);
        printf("%u\n", !strcmp(cap, "cols") ? cols : rows);
    } else if (!strcmp(cap, "colors")) {
        const char *term = getenv("TERM");
        printf("%d\n", term && strstr(term, "256color") ? 256 : 8);
    } else if (!strcmp(cap, "clear")) {
        fputs("\033[H\033[2J", stdout);
    } else if (!strcmp(cap, "bold")) {
        fputs("\033[1m", stdout);
    } else if (!strcmp(cap, "sgr0")) {
        fputs("\033(B\033[m", stdout);
    } else if ((!strcmp(cap, "setaf") || !strcmp(cap, "setab")) && argc == 3 && color_number(argv[2], &n)) {
        int base = cap[4] == 'f' ? 30 : 40;
        if (n < 8)
            printf("\033[%ldm", base + n);
        else
            printf("\033[%d;5;%ldm", base + 8, n);
    } else if (!strcmp(cap, "cup") && argc == 4 && color_number(argv[2], &n) && color_number(argv[3], &m)) {
        printf("\033[%ld;%ldH", n + 1, m + 1);
    } else {
        fprintf(stderr, "tput: unknown terminfo capability '%s'\n", cap);
        return 4;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *program = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (!strcmp(program, "tput"))
        return tput(argc, argv);
    return stty(argc, argv);
}
