/*
 * WASIX system calls (module "wasix_32v1") that plain WASI lacks.
 *
 * Declared by hand because Debian's wasi-libc is WASI-only. Layouts follow
 * wasix-libc's api_wasix.h; every argument is an i32 on wasm32.
 */
#ifndef BERTH_WASIX_H
#define BERTH_WASIX_H

#include <stdint.h>

#define BERTH_WASIX_IMPORT(name) \
    __attribute__((import_module("wasix_32v1"), import_name(#name)))

typedef uint16_t wasix_errno_t;
typedef uint32_t wasix_pid_t;

/* __wasi_option_pid_t: tag 0 = none, 1 = some. */
typedef struct {
    uint8_t tag;
    uint32_t pid;
} wasix_option_pid_t;
_Static_assert(sizeof(wasix_option_pid_t) == 8, "option_pid layout");

#define WASIX_JOIN_NON_BLOCKING 1u
#define WASIX_JOIN_WAKE_STOPPED 2u

enum {
    WASIX_JOIN_NOTHING = 0,
    WASIX_JOIN_EXIT_NORMAL = 1,
    WASIX_JOIN_EXIT_SIGNAL = 2,
    WASIX_JOIN_STOPPED = 3,
};

/* __wasi_join_status_t: u8 tag, then a union aligned to 2. */
typedef struct {
    uint8_t tag;
    union {
        uint16_t exit_normal;
        struct { uint16_t exit_code; uint8_t signal; } exit_signal;
        uint8_t stopped;
    } u;
} wasix_join_status_t;
_Static_assert(sizeof(wasix_join_status_t) == 6, "join_status layout");

/* proc_spawn2 file operations, applied in order in the child. */
enum {
    WASIX_FDOP_CLOSE = 0,
    WASIX_FDOP_DUP2 = 1,
    WASIX_FDOP_OPEN = 2,
    WASIX_FDOP_CHDIR = 3,
    WASIX_FDOP_FCHDIR = 4,
};

typedef struct {
    uint8_t cmd;            /* WASIX_FDOP_* */
    uint32_t fd;            /* target fd */
    uint32_t src_fd;        /* dup2 source */
    const char *path;       /* open / chdir */
    uint32_t path_len;
    uint32_t dirflags;      /* open: lookup flags */
    uint16_t oflags;        /* open: WASI oflags */
    uint64_t fs_rights_base;
    uint64_t fs_rights_inheriting;
    uint16_t fdflags;       /* open: WASI fdflags */
    uint32_t fdflagsext;
} wasix_spawn_fd_op_t;
_Static_assert(sizeof(wasix_spawn_fd_op_t) == 56, "proc_spawn_fd_op layout");

/* __wasi_tty_t */
typedef struct {
    uint32_t cols;
    uint32_t rows;
    uint32_t width;
    uint32_t height;
    uint8_t stdin_tty;
    uint8_t stdout_tty;
    uint8_t stderr_tty;
    uint8_t echo;
    uint8_t line_buffered;
} wasix_tty_t;
_Static_assert(sizeof(wasix_tty_t) == 24, "tty layout");

BERTH_WASIX_IMPORT(proc_spawn2)
int32_t wasix_proc_spawn2(const char *name, uint32_t name_len,
                          const char *args, uint32_t args_len,
                          const char *envs, uint32_t envs_len,
                          const wasix_spawn_fd_op_t *fd_ops, uint32_t fd_ops_len,
                          const void *signal_dispositions, uint32_t sigdisp_len,
                          uint32_t search_path, const char *path, uint32_t path_len,
                          wasix_pid_t *ret_pid);
BERTH_WASIX_IMPORT(proc_exec3)
int32_t wasix_proc_exec3(const char *name, uint32_t name_len,
                         const char *args, uint32_t args_len,
                         const char *envs, uint32_t envs_len,
                         uint32_t search_path, const char *path, uint32_t path_len);
BERTH_WASIX_IMPORT(proc_join)
int32_t wasix_proc_join(wasix_option_pid_t *pid, uint32_t flags, wasix_join_status_t *status);
BERTH_WASIX_IMPORT(proc_id)
int32_t wasix_proc_id(wasix_pid_t *ret);
BERTH_WASIX_IMPORT(proc_parent)
int32_t wasix_proc_parent(wasix_pid_t pid, wasix_pid_t *ret);
BERTH_WASIX_IMPORT(proc_signal)
int32_t wasix_proc_signal(wasix_pid_t pid, uint32_t sig);
BERTH_WASIX_IMPORT(fd_pipe)
int32_t wasix_fd_pipe(uint32_t *read_fd, uint32_t *write_fd);
BERTH_WASIX_IMPORT(fd_dup)
int32_t wasix_fd_dup(uint32_t fd, uint32_t *ret);
BERTH_WASIX_IMPORT(getcwd)
int32_t wasix_getcwd(char *buf, uint32_t *len);
BERTH_WASIX_IMPORT(chdir)
int32_t wasix_chdir(const char *path);
BERTH_WASIX_IMPORT(tty_get)
int32_t wasix_tty_get(wasix_tty_t *tty);
BERTH_WASIX_IMPORT(tty_set)
int32_t wasix_tty_set(const wasix_tty_t *tty);
BERTH_WASIX_IMPORT(callback_signal)
void wasix_callback_signal(const char *name, uint32_t name_len);

#endif
