/*
 * What a program asks about the machine's resources, read from /proc as on
 * Linux: sysinfo() from /proc/meminfo, /proc/uptime and /proc/loadavg;
 * statvfs()/statfs() also from /proc/meminfo, because every filesystem of a
 * machine lives in the engine's memory: its size is the machine's memory
 * (MemTotal), its free space what is available (MemAvailable), in 1 KiB
 * blocks, with a fixed 1Mi inodes. Missing /proc files read as zeros.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>

enum { FILESYSTEM_INODES = 1 << 20 };

/* A value in kB from /proc/meminfo; 0 when absent. */
static unsigned long meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long value = 0;
    size_t len = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, key, len) && line[len] == ':') {
            value = strtoul(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

static void fill_statvfs(struct statvfs *s)
{
    memset(s, 0, sizeof *s);
    s->f_bsize = s->f_frsize = 1024;
    s->f_blocks = meminfo_kb("MemTotal");
    s->f_bfree = s->f_bavail = meminfo_kb("MemAvailable");
    s->f_files = FILESYSTEM_INODES;
    s->f_ffree = s->f_favail = FILESYSTEM_INODES;
    s->f_namemax = 255;
}

int statvfs(const char *path, struct statvfs *s)
{
    struct stat st;
    if (stat(path, &st))
        return -1;
    fill_statvfs(s);
    return 0;
}

int fstatvfs(int fd, struct statvfs *s)
{
    struct stat st;
    if (fstat(fd, &st))
        return -1;
    fill_statvfs(s);
    return 0;
}

static void statfs_from_statvfs(const struct statvfs *v, struct statfs *s)
{
    memset(s, 0, sizeof *s);
    s->f_type = 0x01021994; /* TMPFS_MAGIC: memory-backed, as they are */
    s->f_bsize = s->f_frsize = v->f_bsize;
    s->f_blocks = v->f_blocks;
    s->f_bfree = v->f_bfree;
    s->f_bavail = v->f_bavail;
    s->f_files = v->f_files;
    s->f_ffree = v->f_ffree;
    s->f_namelen = v->f_namemax;
}

int statfs(const char *path, struct statfs *s)
{
    struct statvfs v;
    if (statvfs(path, &v))
        return -1;
    statfs_from_statvfs(&v, s);
    return 0;
}

int fstatfs(int fd, struct statfs *s)
{
    struct statvfs v;
    if (fstatvfs(fd, &v))
        return -1;
    statfs_from_statvfs(&v, s);
    return 0;
}

/* /proc/loadavg's fourth field is "running/total"; the total is our process count. */
static void read_loadavg(struct sysinfo *info)
{
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    double load[3];
    unsigned running, total;
    int n = fscanf(f, "%lf %lf %lf %u/%u", &load[0], &load[1], &load[2], &running, &total);
    if (n >= 3)
        for (int i = 0; i < 3; i++)
            info->loads[i] = (unsigned long)(load[i] * (1 << SI_LOAD_SHIFT));
    if (n == 5)
        info->procs = total;
    fclose(f);
}

int sysinfo(struct sysinfo *info)
{
    memset(info, 0, sizeof *info);
    info->mem_unit = 1024;
    info->totalram = meminfo_kb("MemTotal");
    info->freeram = meminfo_kb("MemFree");
    info->sharedram = meminfo_kb("Shmem");
    info->bufferram = meminfo_kb("Buffers");
    info->totalswap = meminfo_kb("SwapTotal");
    info->freeswap = meminfo_kb("SwapFree");
    FILE *f = fopen("/proc/uptime", "r");
    if (f) {
        double up;
        if (fscanf(f, "%lf", &up) == 1)
            info->uptime = (unsigned long)up;
        fclose(f);
    }
    read_loadavg(info);
    return 0;
}
