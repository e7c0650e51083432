#ifndef BERTH_UTMPX_H
#define BERTH_UTMPX_H
#include <sys/time.h>
#define USER_PROCESS 7
struct utmpx { short ut_type; pid_t ut_pid; char ut_line[32]; char ut_id[4]; char ut_user[32]; char ut_host[256]; struct timeval ut_tv; };
struct utmpx *getutxent(void);
void setutxent(void);
void endutxent(void);
#endif
