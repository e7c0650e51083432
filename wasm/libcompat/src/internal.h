/* libcompat's private helpers, shared between its source files. */
#ifndef BERTH_LIBCOMPAT_INTERNAL_H
#define BERTH_LIBCOMPAT_INTERNAL_H

#include <sys/types.h>

/* Set in a child's environment when its arguments were escaped (process.c). */
#define BERTH_ARGV_ESCAPED "BERTH_ARGV_ESCAPED"

/* path made absolute against the current directory; malloc'd, NULL on ENOMEM. */
char *berth_absolute_path(const char *path);

/*
 * The spawning parent's pid, set by libcompat in every child's environment:
 * the kernel's proc_parent answers 0 (SDK 0.16.0). Read and removed at start.
 */
#define BERTH_PPID "BERTH_PPID"
extern pid_t berth_parent_pid;

uid_t berth_current_uid(void);
gid_t berth_current_gid(void);

#endif
