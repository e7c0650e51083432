#ifndef BERTH_NET_IF_H
#define BERTH_NET_IF_H
#define IF_NAMESIZE 16
#define IFNAMSIZ 16
unsigned if_nametoindex(const char *);
char *if_indextoname(unsigned, char *);
#endif
