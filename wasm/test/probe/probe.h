/* probe's subcommands kept outside probe.c. */
#ifndef BERTH_PROBE_H
#define BERTH_PROBE_H

/* Runs a system subcommand (system.c); -1 when cmd is not one. */
int probe_system(const char *cmd, int argc, char **argv);

/* Runs `trap MODE` (fault.c); -1 when cmd is not one. */
int probe_fault(const char *cmd, int argc, char **argv);

#endif
