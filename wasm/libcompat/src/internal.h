/* libcompat's private helpers, shared between its source files. */
#ifndef BERTH_LIBCOMPAT_INTERNAL_H
#define BERTH_LIBCOMPAT_INTERNAL_H

#include <sys/types.h>

/* Set in a child's environment when its arguments were escaped (process.c). */
#define BERTH_ARGV_ESCAPED "BERTH_ARGV_ESCAPED"

/* path made absolute against the current directory; malloc'd, NULL on ENOMEM. */
char *berth_absolute_path(const char *path);

uid_t berth_current_uid(void);
gid_t berth_current_gid(void);

#endif
