/* libcompat's private helpers, shared between its source files. */
#ifndef BERTH_LIBCOMPAT_INTERNAL_H
#define BERTH_LIBCOMPAT_INTERNAL_H

#include <sys/types.h>

/* libcompat's own opens (the engine's device files among them) are the kernel's, unchanged. */
#undef open
#undef openat
int open(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);

/* Set in a child's environment when its arguments were escaped (process.c). */
#define BERTH_ARGV_ESCAPED "BERTH_ARGV_ESCAPED"

/* abi.c: whether the module open at fd imports only what the kernel provides. */
int berth_module_abi_ok(int fd);

/* root.c: the container's whole tree as "/" (wasm/README.md, "The root directory"). */
void berth_enter_root(void);
/* Our absolute path as the kernel's namespace names it: path itself, or a copy in buf. */
const char *berth_kernel_path(const char *path, char *buf, size_t size);
/* The kernel's name of a path (its cwd) as ours: a suffix of path. */
const char *berth_from_kernel_path(const char *path);

/* path made absolute against the current directory; malloc'd, NULL on ENOMEM. */
char *berth_absolute_path(const char *path);

/*
 * The spawning parent's pid, set by libcompat in every child's environment:
 * the kernel's proc_parent answers 0 (SDK 0.16.0). Read and removed at start.
 */
#define BERTH_PPID "BERTH_PPID"
extern pid_t berth_parent_pid;

/*
 * The child's own pid in the machine's namespace, handed out by the engine
 * and passed by the parent (pids.c). Read and removed at start.
 */
#define BERTH_PID "BERTH_PID"

/*
 * Set by the engine for a process it starts on a terminal: the kernel gives
 * its stderr a pipe of its own, but a terminal is one device, so libcompat
 * points fd 2 at the terminal (fd 1) and what is written keeps its order.
 * Read and removed at start.
 */
#define BERTH_STDERR_TO_TERMINAL "BERTH_STDERR_TO_TERMINAL"

/*
 * Set by libcompat's posix_spawn on a child whose standard streams include a
 * pipe or a file ("1", "12"...): the kernel shows a child every standard
 * stream as a character device, so without it `ls | wc -l` printed columns
 * under a terminal. Read and removed at start (system.c keeps the marks).
 */
#define BERTH_NOT_TERMINAL "BERTH_NOT_TERMINAL"
/*
 * Marks fd as a pipe or a file: the kernel reports fds 0-2 as character
 * devices whatever they hold, and a pipe above 2 with the same type (unknown)
 * as a copy of a terminal stream. pipe() marks its ends; dup and dup2 carry
 * the mark.
 */
void berth_mark_not_terminal(int fd, int yes);
/* Whether fd is known to be a pipe or a file: marked, or above 2 and not a character device. */
int berth_not_terminal(int fd);

/*
 * Variables a child must remove at start, their names joined by '=' (no name
 * holds one): the kernel starts a child with its parent's start environment
 * and only adds or replaces the variables it is given (process.c). Read and
 * removed at start.
 */
#define BERTH_ENV_UNSET "BERTH_ENV_UNSET"

/*
 * Set by the engine when a process must start in a directory the kernel's
 * namespace does not have (one made at the top after the machine started,
 * root.c): the kernel starts it at "/" and libcompat changes there at start.
 * Read and removed at start.
 */
#define BERTH_CWD "BERTH_CWD"

/* pids.c: the process hooks and the pid namespace. */
extern int berth_hook_present;
/* Appends one line to /run/berth/proc; returns whether the file could be opened. */
int berth_write_hook_line(const char *line, size_t len);
/* At start: the pid the parent passed (0: none, ask the engine for one). */
void berth_adopt_pid(pid_t given);
/* A pid for a child about to be spawned; 0 outside a namespace, -1 when the engine refuses (pids limit). */
pid_t berth_alloc_child_pid(void);
pid_t berth_kernel_pid(void);
/* This process's namespace pid; 0 outside a namespace. */
pid_t berth_namespace_pid(void);
/* Remembers a spawned child's namespace and kernel pids. */
void berth_add_child(pid_t pid, pid_t kernel);
/* The kernel pid of this process or one of its children; -1 when neither. */
pid_t berth_child_kernel_pid(pid_t pid);
/*
 * The kernel's join reports every exit status from 80 up as 79; the status
 * the child wrote in its exit hook line, asked of the engine; -1 if unknown,
 * BERTH_NO_EXIT_LINE when the engine knows the child wrote none (the kernel
 * ended it: a trap).
 */
enum { BERTH_NO_EXIT_LINE = -2 };
int berth_reported_status(pid_t pid);
void berth_report_reaped(pid_t pid);
/* A child's namespace pid from its kernel pid (forgotten once reaped). */
pid_t berth_child_pid(pid_t kernel, int reaped);

/* signal.c: the terminal is now raw (no SIGINT from Ctrl-C) or cooked; told to the engine with SIGINT's disposition. */
void berth_terminal_raw(int raw);

uid_t berth_current_uid(void);
gid_t berth_current_gid(void);

/*
 * Registers the signal dispatcher (signal.c) if no handler did yet: a
 * signal with its default action then ends the process with 128+N at once.
 * Without it the kernel's own default leaves a process in a timed sleep
 * sleeping (`kill` of `sleep 100` ended it only 100 s later).
 */
void berth_catch_signals(void);

#endif
