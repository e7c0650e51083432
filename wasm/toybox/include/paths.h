#ifndef BERTH_PATHS_H
#define BERTH_PATHS_H
#define _PATH_DEFPATH "/usr/local/bin:/usr/bin:/bin"
#define _PATH_STDPATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define _PATH_DEVNULL "/dev/null"
#define _PATH_TTY "/dev/tty"
#define _PATH_MOUNTED "/proc/mounts"
#define _PATH_UTMP "/var/run/utmp"
#define _PATH_BSHELL "/bin/sh"
#endif
