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
 *   probe uname, hostname, getpwuid.. system calls one at a time (system.c)
 *   probe chain C1 -- C2 -- ..  an N-stage pipeline; prints every stage's status
 *   probe keys [raw] N      read stdin (raw: tty echo and line buffering off) and
 *                           print each read's bytes in hex until N bytes or EOF
 *   probe signals MODE N    install handlers with signal(), print "ready PID",
 *                           then wait in MODE (sleep, read, spin, join, raise) for N signals
 *   probe sleep MS          sleep without a handler (how does a signal end it?)
 *   probe burn              print "ready PID", then compute forever without a system call
 *   probe kill PID SIG      kill(PID, SIG)
 *   probe waitsig CMD..     spawn CMD, wait, print "exited N" or "signaled S"
 *   probe killchild MS SIG CMD..  spawn CMD, kill(child, SIG) after MS, then as waitsig
 *   probe fgwait CMD..      wait for CMD as a shell would for a foreground job, with a
 *                           SIGINT handler: block reading a pipe only the child holds;
 *                           with FGWAIT_SPIN set, poll waitpid instead and pass SIGINT on
 *   probe trap MODE         trap on purpose (fault.c): unreachable, memory, call, divide, stack
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "berth/wasix.h"
#include "probe.h"

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

/* Runs C1 | C2 | ... (stages separated by "--"), waits for all, prints their statuses. */
static int chain(int argc, char **argv)
{
    enum { MAX_STAGES = 8 };
    char **stages[MAX_STAGES];
    int count = 0;
    stages[count++] = argv;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--") && count < MAX_STAGES) {
            argv[i] = NULL;
            stages[count++] = argv + i + 1;
        }
    }
    pid_t pids[MAX_STAGES];
    int input = -1;
    fflush(stdout);
    for (int k = 0; k < count; k++) {
        int fds[2] = {-1, -1};
        if (k + 1 < count && pipe(fds)) {
            perror("pipe");
            return 1;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        if (input >= 0) {
            posix_spawn_file_actions_adddup2(&fa, input, 0);
            posix_spawn_file_actions_addclose(&fa, input);
        }
        if (fds[1] >= 0) {
            posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
            posix_spawn_file_actions_addclose(&fa, fds[1]);
            posix_spawn_file_actions_addclose(&fa, fds[0]);
        }
        int err = posix_spawnp(&pids[k], stages[k][0], &fa, NULL, stages[k], environ);
        posix_spawn_file_actions_destroy(&fa);
        if (err) {
            printf("spawn %s: %s\n", stages[k][0], strerror(err));
            return 1;
        }
        if (input >= 0)
            close(input);
        if (fds[1] >= 0)
            close(fds[1]);
        input = fds[0];
    }
    printf("status");
    for (int k = 0; k < count; k++) {
        int status;
        waitpid(pids[k], &status, 0);
        printf(" %d", WEXITSTATUS(status));
    }
    printf("\n");
    return 0;
}

static void print_hex(const char *what, const unsigned char *buf, ssize_t n)
{
    printf("%s %zd:", what, n);
    for (ssize_t i = 0; i < n; i++)
        printf(" %02x", buf[i]);
    printf("\n");
    fflush(stdout);
}

static int keys(int raw, long limit)
{
    wasix_tty_t tty;
    if (raw) {
        wasix_tty_get(&tty);
        tty.echo = 0;
        tty.line_buffered = 0;
        printf("tty_set err=%d\n", wasix_tty_set(&tty));
    }
    wasix_tty_get(&tty);
    printf("echo=%d line=%d\n", tty.echo, tty.line_buffered);
    fflush(stdout);
    unsigned char buf[256];
    long total = 0;
    while (total < limit) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0)
            printf("read error %d\n", errno);
        else
            print_hex("read", buf, n);
        if (n <= 0)
            break;
        wasix_tty_get(&tty);
        printf("cols=%u rows=%u\n", tty.cols, tty.rows);
        total += n;
    }
    return 0;
}

static volatile int signal_log[32];
static volatile int signal_count;

static void record_signal(int sig)
{
    if (signal_count < 32)
        signal_log[signal_count] = sig;
    signal_count++;
}

static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* A handler for every signal a process can catch, through libcompat's signal(). */
static void record_all_signals(void)
{
    for (int sig = 1; sig < 32; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, record_signal);
    }
}

static int wait_for_signals(const char *mode, int wanted)
{
    record_all_signals();
    pid_t child = -1;
    if (!strcmp(mode, "join")) {
        char *argv[] = {"probe", "sleep", "3000", NULL};
        posix_spawnp(&child, "probe", NULL, NULL, argv, environ);
    }
    printf("ready %d\n", getpid());
    fflush(stdout);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int reported = 0;
    volatile unsigned long spins = 0;
    while (signal_count < wanted && elapsed_ms(&start) < 5000) {
        if (!strcmp(mode, "sleep")) {
            usleep(10000);
        } else if (!strcmp(mode, "read")) {
            unsigned char buf[64];
            ssize_t n = read(0, buf, sizeof buf);
            if (n < 0)
                printf("read error %d\n", errno);
            else
                print_hex("read", buf, n);
            if (n == 0)
                break;
        } else if (!strcmp(mode, "join")) {
            int status;
            pid_t r = waitpid(child, &status, 0);
            printf("waitpid %d errno %d\n", r, r < 0 ? errno : 0);
            if (r == child)
                break;
        } else if (!strcmp(mode, "raise")) {
            raise(SIGUSR1);
        } else {
            spins++;
        }
        for (; reported < signal_count && reported < 32; reported++)
            printf("signal %d at %ldms\n", signal_log[reported], elapsed_ms(&start));
        fflush(stdout);
    }
    for (; reported < signal_count && reported < 32; reported++)
        printf("signal %d at %ldms\n", signal_log[reported], elapsed_ms(&start));
    printf("done %d\n", signal_count);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *cmd = argv[1];
    int system_status = probe_system(cmd, argc - 2, argv + 2);
    if (system_status >= 0)
        return system_status;
    int fault_status = probe_fault(cmd, argc - 2, argv + 2);
    if (fault_status >= 0)
        return fault_status;
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
    } else if (!strcmp(cmd, "chain")) {
        return chain(argc - 2, argv + 2);
    } else if (!strcmp(cmd, "keys")) {
        int raw = argc > 3 && !strcmp(argv[2], "raw");
        return keys(raw, atol(argv[argc - 1]));
    } else if (!strcmp(cmd, "signals")) {
        return wait_for_signals(argv[2], atoi(argv[3]));
    } else if (!strcmp(cmd, "sleep")) {
        printf("ready %d\n", getpid());
        fflush(stdout);
        usleep(atol(argv[2]) * 1000);
        puts("woke");
    } else if (!strcmp(cmd, "burn")) {
        printf("ready %d\n", getpid());
        fflush(stdout);
        volatile unsigned long spins = 0;
        for (;;)
            spins++;
    } else if (!strcmp(cmd, "kill")) {
        int r = kill(atoi(argv[2]), atoi(argv[3]));
        printf("kill %d errno %d\n", r, r ? errno : 0);
    } else if (!strcmp(cmd, "waitsig") || !strcmp(cmd, "killchild")) {
        int killing = !strcmp(cmd, "killchild");
        char **child_argv = argv + (killing ? 4 : 2);
        pid_t pid;
        if (posix_spawnp(&pid, child_argv[0], NULL, NULL, child_argv, environ))
            return 1;
        if (killing) {
            /* MS 0: no timed wait at all (the first sleep of a fresh instance can hang) */
            if (atol(argv[2]) > 0)
                usleep(atol(argv[2]) * 1000);
            int r = kill(pid, atoi(argv[3]));
            printf("kill %d errno %d\n", r, r ? errno : 0);
            fflush(stdout);
        }
        int status;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status))
            printf("signaled %d\n", WTERMSIG(status));
        else
            printf("exited %d\n", WEXITSTATUS(status));
    } else if (!strcmp(cmd, "fgwait")) {
        record_all_signals();
        int job[2];
        pipe(job);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addclose(&fa, job[0]);
        pid_t pid;
        if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ))
            return 1;
        close(job[1]);
        char byte;
        ssize_t n = 0;
        if (getenv("FGWAIT_SPIN")) {
            /* the alternative: never block, so SIGINT always finds us running */
            int forwarded = 0;
            while (waitpid(pid, NULL, WNOHANG) == 0) {
                if (signal_count && !forwarded)
                    forwarded = !kill(pid, SIGINT);
                sched_yield();
            }
        } else {
            n = read(job[0], &byte, 1);
        }
        int status = 0;
        if (!getenv("FGWAIT_SPIN"))
            waitpid(pid, &status, 0);
        printf("job pipe read %zd, signals seen %d (first %d), child exit %d\n", n, signal_count, signal_log[0],
               WEXITSTATUS(status));
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
