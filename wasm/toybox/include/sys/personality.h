#ifndef BERTH_SYS_PERSONALITY_H
#define BERTH_SYS_PERSONALITY_H
int personality(unsigned long persona);
#endif
