#ifndef BERTH_SYS_INOTIFY_H
#define BERTH_SYS_INOTIFY_H
#include <stdint.h>
struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; };
#define IN_MODIFY 2
#define IN_ATTRIB 4
#define IN_CLOSE_WRITE 8
#define IN_MOVE_SELF 0x800
#define IN_DELETE_SELF 0x400
int inotify_init(void);
int inotify_add_watch(int fd, const char *path, uint32_t mask);
#endif
