/*
 * A test guest that exercises libcompat one call at a time:
 *   probe args A B ...      print each argument on its own line, in brackets
 *   probe exit N            exit with status N
 *   probe cwd               print the working directory
 *   probe spawn CMD ARGS..  posix_spawnp CMD, wait, print "status N"
 *   probe pipe CMD1 -- CMD2 run CMD1 | CMD2 through pipe/dup2 file actions
 *   probe pid               print pid and parent pid
 *   probe chdir DIR CMD..   chdir, then spawn CMD (the child inherits DIR)
 *   probe cat               copy stdin to stdout
 *   probe dup2              stdout onto a pipe and back: the pipe must see EOF
 *   probe tty               what the kernel says about fds 0-2 and the terminal
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wasi/api.h>

#include "berth/wasix.h"

extern char **environ;

static int spawn_wait(char **argv, posix_spawn_file_actions_t *fa)
{
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
    if (err) {
        printf("spawn %s: %s\n", argv[0], strerror(err));
        return -1;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        printf("waitpid: %s\n", strerror(errno));
        return -1;
    }
    return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *cmd = argv[1];
    if (!strcmp(cmd, "args")) {
        for (int i = 2; i < argc; i++)
            printf("[%s]\n", argv[i]);
    } else if (!strcmp(cmd, "exit")) {
        return atoi(argv[2]);
    } else if (!strcmp(cmd, "cwd")) {
        char buf[1024];
        puts(getcwd(buf, sizeof buf));
    } else if (!strcmp(cmd, "pid")) {
        printf("pid %d ppid %d\n", getpid(), getppid());
    } else if (!strcmp(cmd, "spawn")) {
        fflush(stdout);
        printf("status %d\n", spawn_wait(argv + 2, NULL));
    } else if (!strcmp(cmd, "chdir")) {
        if (chdir(argv[2])) {
            perror("chdir");
            return 1;
        }
        fflush(stdout);
        printf("status %d\n", spawn_wait(argv + 3, NULL));
    } else if (!strcmp(cmd, "pipe")) {
        int sep = 2;
        while (sep < argc && strcmp(argv[sep], "--"))
            sep++;
        argv[sep] = NULL;
        int fds[2];
        if (pipe(fds)) {
            perror("pipe");
            return 1;
        }
        posix_spawn_file_actions_t left, right;
        posix_spawn_file_actions_init(&left);
        posix_spawn_file_actions_adddup2(&left, fds[1], 1);
        posix_spawn_file_actions_addclose(&left, fds[0]);
        posix_spawn_file_actions_addclose(&left, fds[1]);
        posix_spawn_file_actions_init(&right);
        posix_spawn_file_actions_adddup2(&right, fds[0], 0);
        posix_spawn_file_actions_addclose(&right, fds[0]);
        posix_spawn_file_actions_addclose(&right, fds[1]);
        pid_t a, b;
        fflush(stdout);
        if (posix_spawnp(&a, argv[2], &left, NULL, argv + 2, environ) ||
            posix_spawnp(&b, argv[sep + 1], &right, NULL, argv + sep + 1, environ)) {
            perror("spawn");
            return 1;
        }
        close(fds[0]);
        close(fds[1]);
        int sa, sb;
        waitpid(a, &sa, 0);
        waitpid(b, &sb, 0);
        printf("status %d %d\n", WEXITSTATUS(sa), WEXITSTATUS(sb));
    } else if (!strcmp(cmd, "dup2")) {
        /* point stdout at a pipe, then back: the pipe must then have no writer left */
        int fds[2];
        pipe(fds);
        int saved = dup(1);
        dup2(fds[1], 1);
        close(fds[1]);
        write(1, "x", 1);
        int back = dup2(saved, 1);
        close(saved);
        char buf[8];
        ssize_t first = read(fds[0], buf, sizeof buf);
        ssize_t second = read(fds[0], buf, sizeof buf);
        printf("dup2 back=%d first=%zd second=%zd\n", back, first, second);
    } else if (!strcmp(cmd, "tty")) {
        /* what the kernel says about fds 0-2: fdstat and the WASIX tty state */
        for (int fd = 0; fd < 3; fd++) {
            __wasi_fdstat_t st;
            int err = __wasi_fd_fdstat_get(fd, &st);
            printf("fd%d err=%d type=%d flags=%d base=%llx\n", fd, err, st.fs_filetype, st.fs_flags,
                   (unsigned long long)st.fs_rights_base);
        }
        int fds[2];
        pipe(fds);
        for (int k = 0; k < 2; k++) {
            __wasi_fdstat_t st;
            int e = __wasi_fd_fdstat_get(fds[k], &st);
            printf("pipe%d err=%d type=%d\n", k, e, st.fs_filetype);
        }
        wasix_tty_t t;
        int err = wasix_tty_get(&t);
        printf("tty err=%d in=%d out=%d err=%d echo=%d line=%d cols=%u rows=%u\n", err, t.stdin_tty, t.stdout_tty,
               t.stderr_tty, t.echo, t.line_buffered, t.cols, t.rows);
    } else if (!strcmp(cmd, "cat")) {
        char buf[4096];
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0)
            fwrite(buf, 1, n, stdout);
    } else {
        return 2;
    }
    return 0;
}
