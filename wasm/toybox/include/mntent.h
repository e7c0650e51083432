#ifndef BERTH_MNTENT_H
#define BERTH_MNTENT_H
#include <stdio.h>
struct mntent { char *mnt_fsname, *mnt_dir, *mnt_type, *mnt_opts; int mnt_freq, mnt_passno; };
FILE *setmntent(const char *file, const char *mode);
struct mntent *getmntent(FILE *f);
int endmntent(FILE *f);
char *hasmntopt(const struct mntent *m, const char *opt);
#endif
