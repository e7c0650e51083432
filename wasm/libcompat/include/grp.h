/* Groups from /etc/group (libcompat: users.c). */
#ifndef BERTH_GRP_H
#define BERTH_GRP_H

#include <sys/types.h>

struct group {
    char *gr_name;
    char *gr_passwd;
    gid_t gr_gid;
    char **gr_mem;
};

struct group *getgrnam(const char *name);
struct group *getgrgid(gid_t gid);
int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups);
int getgroups(int size, gid_t list[]);
void setgrent(void);
void endgrent(void);
struct group *getgrent(void);

#endif
