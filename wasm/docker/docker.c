/*
 * `docker` on the host: a thin client that hands its command line to the
 * engine (the TypeScript docker CLI) and relays its output, input and exit
 * status, so `docker ps | grep web` and `docker run -it alpine sh` behave as
 * on a Linux host.
 *
 * The engine is reached through a device file served by the kernel's host
 * filesystem bridge (see wasm/README.md, "The docker device"):
 *
 *   1. open /run/berth/docker: one open is one session.
 *   2. write the request, one JSON line: argv, terminal size, whether stdin
 *      and stdout are terminals, the working directory.
 *   3. read frames until the exit frame: [type u8][length u32 LE][payload].
 *      0 nothing yet, 1 stdout, 2 stderr, 3 exit (i32 LE status),
 *      4 stdin wanted (payload: the session's stdin path),
 *      5 raw terminal wanted (docker run -t: keys go to the container's own
 *        line editor, so our terminal stops echoing and buffering lines).
 *   4. when stdin is wanted, a second process (this program, run as
 *      `docker --berth-stdin PATH`) copies our stdin into that path, so that
 *      waiting for input never holds up output. It ends at its stdin's EOF,
 *      or at its first write after the session closed (the engine refuses
 *      it). We exit without signalling or waiting for it: the kernel can
 *      lose a kill that lands while its target exits, and the sender's next
 *      system call then never returns (wasm/README.md, "Kernel facts").
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/wasix.h"

#define DEVICE "/run/berth/docker"

enum { FRAME_NONE = 0, FRAME_STDOUT = 1, FRAME_STDERR = 2, FRAME_EXIT = 3, FRAME_STDIN = 4, FRAME_RAW = 5 };

extern char **environ;

struct buffer {
    char *data;
    size_t len, cap;
};

static void put(struct buffer *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) {
            fputs("docker: out of memory\n", stderr);
            exit(125);
        }
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void put_str(struct buffer *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_json_string(struct buffer *b, const char *s)
{
    put_str(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = *p;
            put(b, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            put_str(b, esc);
        } else {
            put(b, (const char *)p, 1);
        }
    }
    put_str(b, "\"");
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= n;
    }
    return 0;
}

static int read_full(int fd, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += n;
    }
    return 0;
}

/* `docker --berth-stdin PATH`: copy stdin into the session until EOF. */
static int forward_stdin(const char *path)
{
    int out = open(path, O_WRONLY);
    if (out < 0)
        return 1;
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
        if (write_all(out, buf, n))
            return 1;
    close(out);
    return 0;
}

/*
 * Its stdout and stderr are closed: it outlives us when its stdin has not
 * ended, and must not hold open a pipe our caller reads to its end
 * (`x=$(sleep 9 | docker run -i alpine true)`).
 */
static void start_stdin_forwarder(const char *self, const char *path, int session)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addclose(&actions, session);
    posix_spawn_file_actions_addclose(&actions, 1);
    posix_spawn_file_actions_addclose(&actions, 2);
    char *argv[] = {(char *)self, "--berth-stdin", (char *)path, NULL};
    pid_t pid = 0;
    if (posix_spawnp(&pid, self, &actions, NULL, argv, environ))
        fputs("docker: cannot forward stdin\n", stderr);
    posix_spawn_file_actions_destroy(&actions);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--berth-stdin"))
        return forward_stdin(argv[2]);

    int session = open(DEVICE, O_RDWR);
    if (session < 0) {
        fprintf(stderr, "Cannot connect to the Docker daemon at unix://%s. Is the docker daemon running?\n", DEVICE);
        return 1;
    }

    wasix_tty_t tty = {0};
    wasix_tty_get(&tty);
    char cwd[1024];
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");

    struct buffer req = {0};
    put_str(&req, "{\"argv\":[");
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            put_str(&req, ",");
        put_json_string(&req, argv[i]);
    }
    char numbers[160];
    snprintf(numbers, sizeof numbers, "],\"stdinTty\":%s,\"stdoutTty\":%s,\"stderrTty\":%s,\"columns\":%u,\"rows\":%u,\"cwd\":",
             isatty(0) ? "true" : "false", isatty(1) ? "true" : "false", isatty(2) ? "true" : "false", tty.cols, tty.rows);
    put_str(&req, numbers);
    put_json_string(&req, cwd);
    /* The caller's environment: -e NAME and --build-arg NAME take their values from it, as the docker CLI's. */
    put_str(&req, ",\"env\":[");
    for (char **e = environ; *e; e++) {
        if (e != environ)
            put_str(&req, ",");
        put_json_string(&req, *e);
    }
    put_str(&req, "]}\n");
    if (write_all(session, req.data, req.len)) {
        perror("docker: cannot send the command to the engine");
        return 125;
    }
    free(req.data);

    int raw = 0;
    wasix_tty_t cooked = tty;
    unsigned char header[5];
    struct buffer payload = {0};
    for (;;) {
        if (read_full(session, header, sizeof header)) {
            fputs("docker: lost the connection to the engine\n", stderr);
            return 125;
        }
        uint32_t len = header[1] | header[2] << 8 | header[3] << 16 | (uint32_t)header[4] << 24;
        payload.len = 0;
        if (len) {
            char chunk[4096];
            uint32_t left = len;
            while (left) {
                uint32_t take = left < sizeof chunk ? left : sizeof chunk;
                if (read_full(session, (unsigned char *)chunk, take)) {
                    fputs("docker: lost the connection to the engine\n", stderr);
                    return 125;
                }
                put(&payload, chunk, take);
                left -= take;
            }
        }
        switch (header[0]) {
        case FRAME_STDOUT:
            write_all(1, payload.data, payload.len);
            break;
        case FRAME_STDERR:
            write_all(2, payload.data, payload.len);
            break;
        case FRAME_STDIN:
            start_stdin_forwarder(argv[0], payload.data, session);
            break;
        case FRAME_RAW:
            if (isatty(0)) {
                wasix_tty_t t = cooked;
                t.echo = 0;
                t.line_buffered = 0;
                raw = wasix_tty_set(&t) == 0;
            }
            break;
        case FRAME_EXIT: {
            int32_t status = 0;
            if (payload.len == 4)
                memcpy(&status, payload.data, 4);
            if (raw) {
                /* the modes only: the window may have been resized meanwhile */
                wasix_tty_t now = cooked;
                wasix_tty_get(&now);
                now.echo = cooked.echo;
                now.line_buffered = cooked.line_buffered;
                wasix_tty_set(&now);
            }
            close(session);
            return status;
        }
        default:
            break;
        }
    }
}
