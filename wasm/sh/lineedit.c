/*
 * The interactive line editor. The terminal is put in raw mode while a line
 * is read (WASIX: tty_set with echo and line buffering off; elsewhere
 * termios) and restored before the command runs. Keys: arrows, Home/End,
 * Backspace/Delete, Ctrl-A/E/U/W/K/L, Ctrl-C (interrupt), Ctrl-D (EOF on an
 * empty line), history Up/Down, Tab completion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lineedit.h"
#include "sh.h"

#ifdef __wasi__
#include "berth/wasix.h"
static wasix_tty_t saved_tty;
static int raw_mode(void)
{
    if (wasix_tty_get(&saved_tty))
        return -1;
    wasix_tty_t raw = saved_tty;
    raw.echo = 0;
    raw.line_buffered = 0;
    return wasix_tty_set(&raw) ? -1 : 0;
}
/* Restores the modes only: the size may have changed while the line was read. */
static void cooked_mode(void)
{
    wasix_tty_t now;
    if (wasix_tty_get(&now))
        now = saved_tty;
    now.echo = saved_tty.echo;
    now.line_buffered = saved_tty.line_buffered;
    wasix_tty_set(&now);
}
static int terminal_columns(void)
{
    wasix_tty_t t;
    return wasix_tty_get(&t) == 0 && t.cols > 0 ? (int)t.cols : 80;
}
#else
#include <sys/ioctl.h>
#include <termios.h>
static struct termios saved_tty;
static int raw_mode(void)
{
    if (tcgetattr(0, &saved_tty))
        return -1;
    struct termios raw = saved_tty;
    raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    return tcsetattr(0, TCSANOW, &raw);
}
static void cooked_mode(void)
{
    tcsetattr(0, TCSANOW, &saved_tty);
}
static int terminal_columns(void)
{
    struct winsize ws;
    return ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
}
#endif

#define HISTORY_MAX 500

static char *history[HISTORY_MAX];
static int history_len;
static le_completer completer;

void le_set_completer(le_completer fn)
{
    completer = fn;
}

void le_history_add(const char *line)
{
    if (!*line || (history_len && !strcmp(history[history_len - 1], line)))
        return;
    if (history_len == HISTORY_MAX) {
        free(history[0]);
        memmove(history, history + 1, (HISTORY_MAX - 1) * sizeof *history);
        history_len--;
    }
    history[history_len++] = xstrdup(line);
}

typedef struct {
    Str buf;
    size_t cursor;
    const char *prompt;
    size_t prompt_width;
} Line;

static void out(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= w;
    }
}

static void outs(const char *s)
{
    out(s, strlen(s));
}

/* the printed width of the prompt: its last line, without escape sequences */
static size_t visible_width(const char *s)
{
    const char *nl = strrchr(s, '\n');
    if (nl)
        s = nl + 1;
    size_t w = 0;
    for (; *s; s++) {
        if (s[0] == 27 && s[1] == ']') {
            /* an OSC string (a title, a shell mark): ends at BEL or ESC \ */
            s += 2;
            while (*s && *s != 7 && !(s[0] == 27 && s[1] == '\\'))
                s++;
            if (!*s)
                break;
            if (*s == 27)
                s++; /* the loop steps over the backslash */
            continue;
        }
        if (*s == 27) {
            while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
                s++;
            if (!*s)
                break;
            continue;
        }
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    }
    return w;
}

/* Redraws the line: go to the prompt's row, rewrite, clear the rest, put the cursor back. */
static size_t last_rows_above;

static void refresh(Line *l)
{
    int cols = terminal_columns();
    Str s = {0};
    if (last_rows_above) {
        char up[32];
        snprintf(up, sizeof up, "\x1b[%zuA", last_rows_above);
        str_puts(&s, up);
    }
    str_puts(&s, "\r");
    const char *nl = strrchr(l->prompt, '\n');
    str_puts(&s, nl ? nl + 1 : l->prompt);
    str_putn(&s, l->buf.s ? l->buf.s : "", l->buf.len);
    str_puts(&s, "\x1b[J");
    size_t total = l->prompt_width + l->buf.len;
    size_t at = l->prompt_width + l->cursor;
    /* a line exactly filling the width leaves the cursor past the margin */
    if (total && total % cols == 0)
        str_puts(&s, "\r\n");
    size_t end_row = total / cols, cur_row = at / cols;
    if (end_row > cur_row) {
        char up[32];
        snprintf(up, sizeof up, "\x1b[%zuA", end_row - cur_row);
        str_puts(&s, up);
    }
    str_puts(&s, "\r");
    if (at % cols) {
        char right[32];
        snprintf(right, sizeof right, "\x1b[%zuC", at % cols);
        str_puts(&s, right);
    }
    last_rows_above = cur_row;
    out(s.s, s.len);
    free(s.s);
}

static void set_text(Line *l, const char *text)
{
    l->buf.len = 0;
    str_puts(&l->buf, text);
    l->cursor = l->buf.len;
}

static void insert(Line *l, const char *s, size_t n)
{
    str_putn(&l->buf, s, n); /* grow */
    memmove(l->buf.s + l->cursor + n, l->buf.s + l->cursor, l->buf.len - n - l->cursor);
    memcpy(l->buf.s + l->cursor, s, n);
    l->cursor += n;
}

static void erase(Line *l, size_t from, size_t to)
{
    memmove(l->buf.s + from, l->buf.s + to, l->buf.len - to + 1);
    l->buf.len -= to - from;
    l->cursor = from;
}

static int read_key(unsigned char *c)
{
    for (;;) {
        ssize_t n = read(0, c, 1);
        if (n == 1)
            return 1;
        if (n < 0 && errno == EINTR)
            continue;
        return 0;
    }
}

static void complete(Line *l, int second_tab)
{
    if (!completer)
        return;
    size_t start = l->cursor;
    while (start > 0 && !strchr(" \t;|&<>()", l->buf.s[start - 1]))
        start--;
    size_t before = start;
    while (before > 0 && (l->buf.s[before - 1] == ' ' || l->buf.s[before - 1] == '\t'))
        before--;
    int is_command = before == 0 || strchr(";|&(", l->buf.s[before - 1]) != NULL;
    char *word = xstrndup(l->buf.s + start, l->cursor - start);
    char **cands = completer(word, is_command && !strchr(word, '/'));
    int n = 0;
    while (cands && cands[n])
        n++;
    if (n == 1) {
        const char *c = cands[0];
        size_t len = strlen(c);
        insert(l, c + strlen(word), len - strlen(word));
        if (len && c[len - 1] != '/')
            insert(l, " ", 1);
    } else if (n > 1) {
        size_t common = strlen(cands[0]);
        for (int i = 1; i < n; i++) {
            size_t k = 0;
            while (k < common && cands[i][k] == cands[0][k])
                k++;
            common = k;
        }
        if (common > strlen(word)) {
            insert(l, cands[0] + strlen(word), common - strlen(word));
        } else if (second_tab) {
            /* list the candidates in columns below the line */
            size_t width = 0;
            for (int i = 0; i < n; i++)
                if (strlen(cands[i]) > width)
                    width = strlen(cands[i]);
            width += 2;
            int cols = terminal_columns();
            int per_row = (int)(cols / width) ? (int)(cols / width) : 1;
            outs("\r\n");
            for (int i = 0; i < n; i++) {
                const char *c = cands[i];
                const char *slash = strrchr(c, '/');
                const char *shown = slash && slash[1] ? slash + 1 : c;
                outs(shown);
                if ((i + 1) % per_row == 0 || i == n - 1)
                    outs("\r\n");
                else
                    for (size_t k = strlen(shown); k < width; k++)
                        outs(" ");
            }
            last_rows_above = 0;
        }
    }
    for (int i = 0; i < n; i++)
        free(cands[i]);
    free(cands);
    free(word);
}

static le_status read_plain(const char *prompt, char **line)
{
    outs(prompt);
    Str buf = {0};
    unsigned char c;
    int got = 0;
    while (read_key(&c)) {
        got = 1;
        if (c == '\n')
            break;
        str_putc(&buf, (char)c);
    }
    if (!got) {
        free(buf.s);
        return LE_EOF;
    }
    *line = str_take(&buf);
    return LE_LINE;
}

le_status le_readline(const char *prompt, char **line)
{
    *line = NULL;
    if (raw_mode())
        return read_plain(prompt, line);
    outs(prompt);
    Line l = {{0}, 0, prompt, visible_width(prompt)};
    str_puts(&l.buf, "");
    last_rows_above = 0;
    int hist = history_len;
    char *editing = NULL; /* the line being typed, kept while browsing history */
    int last_tab = 0;
    le_status status = LE_LINE;
    unsigned char c;
    for (;;) {
        if (!read_key(&c)) {
            status = l.buf.len ? LE_LINE : LE_EOF;
            break;
        }
        int tab = 0;
        switch (c) {
        case '\r':
        case '\n':
            goto done;
        case 1: /* Ctrl-A */
            l.cursor = 0;
            break;
        case 5: /* Ctrl-E */
            l.cursor = l.buf.len;
            break;
        case 2: /* Ctrl-B */
            if (l.cursor)
                l.cursor--;
            break;
        case 6: /* Ctrl-F */
            if (l.cursor < l.buf.len)
                l.cursor++;
            break;
        case 3: /* Ctrl-C */
            l.cursor = l.buf.len;
            refresh(&l);
            outs("^C\r\n");
            status = LE_INTERRUPT;
            goto out;
        case 4: /* Ctrl-D */
            if (l.buf.len == 0) {
                status = LE_EOF;
                goto out;
            }
            if (l.cursor < l.buf.len)
                erase(&l, l.cursor, l.cursor + 1);
            break;
        case 8:
        case 127: /* Backspace */
            if (l.cursor)
                erase(&l, l.cursor - 1, l.cursor);
            break;
        case 11: /* Ctrl-K */
            l.buf.len = l.cursor;
            l.buf.s[l.cursor] = 0;
            break;
        case 21: /* Ctrl-U */
            erase(&l, 0, l.cursor);
            break;
        case 23: { /* Ctrl-W */
            size_t k = l.cursor;
            while (k && l.buf.s[k - 1] == ' ')
                k--;
            while (k && l.buf.s[k - 1] != ' ')
                k--;
            erase(&l, k, l.cursor);
            break;
        }
        case 12: /* Ctrl-L */
            outs("\x1b[H\x1b[2J");
            last_rows_above = 0;
            outs(strrchr(prompt, '\n') ? strrchr(prompt, '\n') + 1 : prompt);
            break;
        case 9: /* Tab */
            complete(&l, last_tab);
            tab = 1;
            break;
        case 27: { /* escape sequences */
            unsigned char a, b;
            if (!read_key(&a))
                break;
            if (a != '[' && a != 'O')
                break;
            if (!read_key(&b))
                break;
            if (b >= '0' && b <= '9') {
                unsigned char t;
                int num = b - '0';
                while (read_key(&t) && t >= '0' && t <= '9')
                    num = num * 10 + (t - '0');
                if (num == 1 || num == 7)
                    l.cursor = 0;
                else if (num == 4 || num == 8)
                    l.cursor = l.buf.len;
                else if (num == 3 && l.cursor < l.buf.len)
                    erase(&l, l.cursor, l.cursor + 1);
                break;
            }
            switch (b) {
            case 'A': /* up */
            case 'B': /* down */
                if (b == 'A' && hist > 0) {
                    if (hist == history_len) {
                        free(editing);
                        editing = xstrdup(l.buf.s);
                    }
                    set_text(&l, history[--hist]);
                } else if (b == 'B' && hist < history_len) {
                    hist++;
                    set_text(&l, hist == history_len ? (editing ? editing : "") : history[hist]);
                }
                break;
            case 'C':
                if (l.cursor < l.buf.len)
                    l.cursor++;
                break;
            case 'D':
                if (l.cursor)
                    l.cursor--;
                break;
            case 'H':
                l.cursor = 0;
                break;
            case 'F':
                l.cursor = l.buf.len;
                break;
            }
            break;
        }
        default:
            if (c >= 32)
                insert(&l, (const char *)&c, 1);
        }
        last_tab = tab;
        refresh(&l);
    }
done:
    l.cursor = l.buf.len;
    refresh(&l);
    outs("\r\n");
out:
    cooked_mode();
    free(editing);
    if (status == LE_LINE)
        *line = str_take(&l.buf);
    else
        free(l.buf.s);
    return status;
}
