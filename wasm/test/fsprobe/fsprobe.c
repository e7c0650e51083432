/*
 * A test guest for mounted filesystems: one file operation per call, with
 * errors printed as "ERR <strerror>" and exit status 1.
 *   fsprobe cat FILE | write FILE TEXT | append FILE TEXT | ls DIR | stat PATH
 *   fsprobe mkdir DIR | rm PATH | rmdir DIR | mv FROM TO | truncate FILE N
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(void)
{
    printf("ERR %s\n", strerror(errno));
    return 1;
}

static int write_file(const char *path, const char *text, int flags)
{
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
    if (fd < 0)
        return fail();
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        return fail();
    return close(fd) ? fail() : 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *op = argv[1], *path = argv[2];
    if (!strcmp(op, "cat")) {
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            return fail();
        char buf[65536];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            fwrite(buf, 1, n, stdout);
        if (n < 0)
            return fail();
        close(fd);
    } else if (!strcmp(op, "write") && argc > 3) {
        return write_file(path, argv[3], O_TRUNC);
    } else if (!strcmp(op, "append") && argc > 3) {
        return write_file(path, argv[3], O_APPEND);
    } else if (!strcmp(op, "ls")) {
        DIR *dir = opendir(path);
        if (!dir)
            return fail();
        char *names[1024];
        int count = 0;
        struct dirent *entry;
        while ((entry = readdir(dir)) && count < 1024)
            if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
                names[count++] = strdup(entry->d_name);
        closedir(dir);
        qsort(names, count, sizeof *names, compare_names);
        for (int i = 0; i < count; i++)
            puts(names[i]);
    } else if (!strcmp(op, "stat")) {
        struct stat st;
        if (stat(path, &st))
            return fail();
        printf("%s %lld\n", S_ISDIR(st.st_mode) ? "directory" : "file", (long long)st.st_size);
    } else if (!strcmp(op, "mkdir")) {
        return mkdir(path, 0755) ? fail() : 0;
    } else if (!strcmp(op, "rm")) {
        return unlink(path) ? fail() : 0;
    } else if (!strcmp(op, "rmdir")) {
        return rmdir(path) ? fail() : 0;
    } else if (!strcmp(op, "mv") && argc > 3) {
        return rename(path, argv[3]) ? fail() : 0;
    } else if (!strcmp(op, "truncate") && argc > 3) {
        return truncate(path, atol(argv[3])) ? fail() : 0;
    } else {
        return 2;
    }
    return 0;
}
