/* No pseudo-terminals on this kernel. */
#ifndef BERTH_PTY_H
#define BERTH_PTY_H
#include <termios.h>
int openpty(int *amaster, int *aslave, char *name, const struct termios *termp, const struct winsize *winp);
#endif
