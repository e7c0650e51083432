/*
 * The shell of the centos:6 fixture image: a program built for an older
 * kernel. Like CentOS 6's glibc, it reads the time through the vsyscall page
 * (here an interface "linux_vsyscall"), which this kernel does not offer —
 * as Linux kernels with vsyscall=none do not, where CentOS 6 containers die
 * at start. libcompat refuses to start it ("Exec format error": abi.c); it
 * never runs on Berth's kernel, and that is its point.
 */
#include <stdio.h>

__attribute__((import_module("linux_vsyscall"), import_name("time"))) long vsyscall_time(long *t);

int main(int argc, char **argv)
{
    printf("bash-4.1# (the time is %ld)\n", vsyscall_time(0));
    return 0;
}
