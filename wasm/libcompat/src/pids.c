/*
 * Process ids in the machine's pid namespace, and the process hooks through
 * which the engine keeps its process table (wasm/README.md, "Process hooks").
 *
 * The kernel numbers processes per tree: every process started from JS is 1
 * and its descendants count up from 2, so kernel pids collide between the
 * trees of one machine (a container's main process and a `docker exec`).
 * When the engine serves /run/berth/proc it hands out pids instead: a parent
 * asks for its child's pid before spawning ("alloc PID" -> "pid N") and passes
 * it in BERTH_PID; getpid() then answers N, posix_spawn returns N, and
 * waitpid/kill translate the pids of this process's own children back to the
 * kernel's. Without the file (or when it does not answer), kernel pids are
 * used unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "berth/wasix.h"
#include "internal.h"

#define BERTH_HOOK_DIR "/run/berth"
#define BERTH_PROC_HOOK BERTH_HOOK_DIR "/proc"

/* This process's pid in the machine's namespace; 0 when the engine gave none. */
static pid_t namespace_pid;
pid_t berth_parent_pid;
int berth_hook_present;
/* Once an open has failed, the file is taken to be absent for this process's life. */
static int hook_missing;

static int open_hook(int flags)
{
    if (hook_missing)
        return -1;
    int fd = open(BERTH_PROC_HOOK, flags);
    if (fd < 0)
        hook_missing = 1;
    return fd;
}

int berth_write_hook_line(const char *line, size_t len)
{
    int fd = open_hook(O_WRONLY | O_APPEND);
    if (fd < 0)
        return 0;
    write(fd, line, len);
    close(fd);
    return 1;
}

/*
 * A name for a question's file, unique among the machine's processes asking at
 * the same moment (O_EXCL settles the rest). Not getentropy(): the browser
 * SDK's random_get cannot fill WebAssembly's shared memory.
 */
static unsigned long long question_nonce(void)
{
    static unsigned long long counter;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* splitmix64 over the time, this process's kernel pid and its own count */
    unsigned long long x = (unsigned long long)now.tv_sec * 1000000000ull + now.tv_nsec;
    x ^= (unsigned long long)berth_kernel_pid() << 40 ^ ++counter << 20;
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/*
 * Asks the engine one question (a line: "alloc PPID", "status PID") and reads
 * its one-line answer into reply; the answer's length, or -1 for none.
 *
 * Each question has a file of its own, created for it and removed after it:
 * the kernel keeps one host handle per file for all who open it, so on the
 * shared /run/berth/proc another process's open, between our write and our
 * read, would take our answer (a refused alloc read as no answer at all).
 */
static ssize_t ask(const char *request, size_t len, char *reply, size_t size)
{
    if (hook_missing)
        return -1;
    char path[sizeof BERTH_HOOK_DIR "/ask." + 16];
    int fd = -1;
    for (int attempt = 0; attempt < 4 && fd < 0; attempt++) {
        snprintf(path, sizeof path, "%s/ask.%016llx", BERTH_HOOK_DIR, question_nonce());
        fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno != EEXIST) {
            /* No directory: no engine. (Any other failure may pass; ask again next time.) */
            if (errno == ENOENT)
                hook_missing = 1;
            return -1;
        }
    }
    if (fd < 0)
        return -1;
    ssize_t n = -1;
    memset(reply, 0, size);
    if (write(fd, request, len) == (ssize_t)len)
        n = read(fd, reply, size - 1);
    close(fd);
    unlink(path);
    return n > 0 && strchr(reply, '\n') ? n : -1;
}

/*
 * The engine's pid for a process about to start: "pid N" -> N; 0 when there
 * is no answer, -1 when the engine refuses ("refused": the container's pids
 * limit is reached, or it has stopped).
 */
static pid_t ask_for_pid(const char *request, size_t len)
{
    char reply[32];
    if (ask(request, len, reply, sizeof reply) < 0)
        return 0;
    if (!strcmp(reply, "refused\n"))
        return -1;
    if (strncmp(reply, "pid ", 4))
        return 0;
    long pid = strtol(reply + 4, NULL, 10);
    return pid > 0 ? (pid_t)pid : 0;
}

/* A child the kernel ended (a signal, a kill) wrote no exit line: its parent says it is gone. */
void berth_report_reaped(pid_t pid)
{
    if (!namespace_pid || !berth_hook_present || pid <= 0)
        return;
    char line[32];
    int len = snprintf(line, sizeof line, "reaped %d\n", (int)pid);
    berth_write_hook_line(line, len);
}

int berth_reported_status(pid_t pid)
{
    if (!namespace_pid || !berth_hook_present || pid <= 0)
        return -1;
    char request[32];
    int len = snprintf(request, sizeof request, "status %d\n", (int)pid);
    char reply[32];
    ssize_t n = ask(request, len, reply, sizeof reply);
    if (n > 0 && !strcmp(reply, "none\n"))
        return BERTH_NO_EXIT_LINE;
    if (n <= 7 || strncmp(reply, "status ", 7))
        return -1;
    return atoi(reply + 7) & 0xff;
}

pid_t berth_kernel_pid(void)
{
    wasix_pid_t pid = 0;
    wasix_proc_id(&pid);
    return pid;
}

void berth_adopt_pid(pid_t given)
{
    if (given > 0) {
        namespace_pid = given;
        return;
    }
    /* Started from JS without a pid: ask for one, as a root of the namespace. */
    static const char request[] = "alloc 0\n";
    namespace_pid = ask_for_pid(request, sizeof request - 1);
    if (namespace_pid < 0)
        _Exit(126); /* refused: the container is at its pids limit, or gone */
}

pid_t berth_alloc_child_pid(void)
{
    if (!namespace_pid || !berth_hook_present)
        return 0;
    char request[32];
    int len = snprintf(request, sizeof request, "alloc %d\n", (int)namespace_pid);
    return ask_for_pid(request, len);
}

pid_t berth_namespace_pid(void)
{
    return namespace_pid;
}

pid_t getpid(void)
{
    return namespace_pid ? namespace_pid : berth_kernel_pid();
}

/*
 * In a namespace, what the spawning parent told us (the engine says 0 for
 * the processes it starts). Otherwise the kernel's answer when it has one.
 */
pid_t getppid(void)
{
    if (namespace_pid)
        return berth_parent_pid;
    wasix_pid_t parent = 0;
    if (wasix_proc_parent(berth_kernel_pid(), &parent) == 0 && parent != 0)
        return parent;
    return berth_parent_pid;
}

/* This process's children: namespace pid -> kernel pid, until they are reaped. */
struct child {
    pid_t pid;
    pid_t kernel;
};
static struct child *children;
static int nchildren, capacity;

void berth_add_child(pid_t pid, pid_t kernel)
{
    if (nchildren == capacity) {
        int more = capacity ? capacity * 2 : 16;
        struct child *grown = realloc(children, more * sizeof *grown);
        if (!grown)
            return;
        children = grown;
        capacity = more;
    }
    children[nchildren++] = (struct child){pid, kernel};
}

pid_t berth_child_kernel_pid(pid_t pid)
{
    if (!namespace_pid)
        return pid;
    /* Children first: after exec, the program that took over our pid is one. */
    for (int i = 0; i < nchildren; i++)
        if (children[i].pid == pid)
            return children[i].kernel;
    if (pid == namespace_pid)
        return berth_kernel_pid();
    return -1;
}

pid_t berth_child_pid(pid_t kernel, int reaped)
{
    for (int i = 0; i < nchildren; i++) {
        if (children[i].kernel == kernel) {
            pid_t pid = children[i].pid;
            if (reaped)
                children[i] = children[--nchildren];
            return pid;
        }
    }
    return kernel;
}
