/*
 * Users and groups, read from the machine's /etc/passwd and /etc/group on
 * every lookup (a container's files, so each image has its own users). The
 * calling user is root unless the engine says otherwise (docker run -u) in
 * BERTH_UID / BERTH_GID.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static unsigned env_number(const char *name)
{
    const char *v = getenv(name);
    return v ? (unsigned)strtoul(v, NULL, 10) : 0;
}

uid_t berth_current_uid(void) { return env_number("BERTH_UID"); }
gid_t berth_current_gid(void) { return env_number("BERTH_GID"); }

#define MAX_FIELDS 8
#define MAX_MEMBERS 64

/* Splits a line at ':' in place; returns the field count. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == ':') {
            *p = 0;
            fields[n++] = p + 1;
        }
    }
    char *nl = strchr(fields[n - 1], '\n');
    if (nl)
        *nl = 0;
    return n;
}

/* ---- passwd ---- */

static struct passwd pw;
static char pw_line[1024];
static FILE *pw_file;

static struct passwd *parse_passwd(void)
{
    char *f[MAX_FIELDS];
    if (split_fields(pw_line, f, 7) < 7)
        return NULL;
    pw.pw_name = f[0];
    pw.pw_passwd = f[1];
    pw.pw_uid = (uid_t)strtoul(f[2], NULL, 10);
    pw.pw_gid = (gid_t)strtoul(f[3], NULL, 10);
    pw.pw_gecos = f[4];
    pw.pw_dir = f[5];
    pw.pw_shell = f[6];
    return &pw;
}

void setpwent(void)
{
    if (pw_file)
        rewind(pw_file);
}

void endpwent(void)
{
    if (pw_file)
        fclose(pw_file);
    pw_file = NULL;
}

struct passwd *getpwent(void)
{
    if (!pw_file && !(pw_file = fopen("/etc/passwd", "r")))
        return NULL;
    while (fgets(pw_line, sizeof pw_line, pw_file)) {
        struct passwd *p = parse_passwd();
        if (p)
            return p;
    }
    return NULL;
}

static struct passwd *find_passwd(const char *name, uid_t uid)
{
    FILE *f = fopen("/etc/passwd", "r");
    if (!f)
        return NULL;
    struct passwd *found = NULL;
    while (!found && fgets(pw_line, sizeof pw_line, f)) {
        struct passwd *p = parse_passwd();
        if (p && (name ? !strcmp(p->pw_name, name) : p->pw_uid == uid))
            found = p;
    }
    fclose(f);
    return found;
}

struct passwd *getpwnam(const char *name) { return find_passwd(name, 0); }
struct passwd *getpwuid(uid_t uid) { return find_passwd(NULL, uid); }

/* ---- group ---- */

static struct group gr;
static char gr_line[4096];
static char *gr_members[MAX_MEMBERS + 1];
static FILE *gr_file;

/* Parses one /etc/group line in place into out, its members into members (MAX_MEMBERS + 1 slots). */
static struct group *parse_group_line(char *line, struct group *out, char **members)
{
    char *f[MAX_FIELDS];
    if (split_fields(line, f, 4) < 4)
        return NULL;
    out->gr_name = f[0];
    out->gr_passwd = f[1];
    out->gr_gid = (gid_t)strtoul(f[2], NULL, 10);
    int n = 0;
    for (char *m = f[3]; *m && n < MAX_MEMBERS;) {
        members[n++] = m;
        char *comma = strchr(m, ',');
        if (!comma)
            break;
        *comma = 0;
        m = comma + 1;
    }
    members[n] = NULL;
    out->gr_mem = members;
    return out;
}

static struct group *parse_group(void)
{
    return parse_group_line(gr_line, &gr, gr_members);
}

void setgrent(void)
{
    if (gr_file)
        rewind(gr_file);
}

void endgrent(void)
{
    if (gr_file)
        fclose(gr_file);
    gr_file = NULL;
}

struct group *getgrent(void)
{
    if (!gr_file && !(gr_file = fopen("/etc/group", "r")))
        return NULL;
    while (fgets(gr_line, sizeof gr_line, gr_file)) {
        struct group *g = parse_group();
        if (g)
            return g;
    }
    return NULL;
}

static struct group *find_group(const char *name, gid_t gid)
{
    FILE *f = fopen("/etc/group", "r");
    if (!f)
        return NULL;
    struct group *found = NULL;
    while (!found && fgets(gr_line, sizeof gr_line, f)) {
        struct group *g = parse_group();
        if (g && (name ? !strcmp(g->gr_name, name) : g->gr_gid == gid))
            found = g;
    }
    fclose(f);
    return found;
}

struct group *getgrnam(const char *name) { return find_group(name, 0); }
struct group *getgrgid(gid_t gid) { return find_group(NULL, gid); }

int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
    int n = 0, max = *ngroups;
    if (n < max)
        groups[n] = group;
    n++;
    /* its own buffers: the group getgrgid returned before stays intact, as with glibc (toybox's id relies on it) */
    char line[sizeof gr_line];
    char *members[MAX_MEMBERS + 1];
    struct group entry;
    FILE *f = fopen("/etc/group", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            struct group *g = parse_group_line(line, &entry, members);
            if (!g || g->gr_gid == group)
                continue;
            for (char **m = g->gr_mem; *m; m++) {
                if (!strcmp(*m, user)) {
                    if (n < max)
                        groups[n] = g->gr_gid;
                    n++;
                    break;
                }
            }
        }
        fclose(f);
    }
    *ngroups = n;
    return n > max ? -1 : n;
}

int getgroups(int size, gid_t list[])
{
    if (size > 0)
        list[0] = berth_current_gid();
    return 1;
}
