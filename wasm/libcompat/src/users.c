/* The calling user: root unless the engine says otherwise (docker run -u). */
#include <stdlib.h>
#include <sys/types.h>

#include "internal.h"

static unsigned env_number(const char *name)
{
    const char *v = getenv(name);
    return v ? (unsigned)strtoul(v, NULL, 10) : 0;
}

uid_t berth_current_uid(void) { return env_number("BERTH_UID"); }
gid_t berth_current_gid(void) { return env_number("BERTH_GID"); }
