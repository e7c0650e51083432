/*
 * signal() and raise() with real delivery: the first handler installed
 * registers our dispatcher with WASIX callback_signal, and the kernel then
 * calls that export for every signal sent to this process (kill() from
 * another guest, Ctrl-C on a cooked terminal).
 *
 * Nothing is registered until a handler other than SIG_DFL is installed, so
 * a program that never installs one keeps the kernel's own default.
 *
 * Measured delivery (wasm/README.md, "Kernel facts"): handlers run at the
 * process's next system call; a blocked read() or waitpid() is not
 * interrupted (the handler runs after it returns), and SIGINT arriving while
 * the process sleeps, polls or waits in waitpid() ends it with status 27
 * whatever handler is installed.
 *
 * Replaces wasi-libc's emulated signal.o (same symbols), whose handlers only
 * raise() could reach.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "berth/wasix.h"
#include "internal.h"

/* SIG_IGN and SIG_ERR are these functions' addresses in wasi-libc's signal.h. */
void __SIG_IGN(int sig) { (void)sig; }
void __SIG_ERR(int sig) { (void)sig; }

static void (*handlers[_NSIG])(int);
static int dispatcher_registered;

/* Whether this process set its terminal raw (terminal.c): 0x03 then reaches it as a byte, no SIGINT. */
static int terminal_raw;
/* What the engine was last told; every process starts with Ctrl-C not its own. */
static int reported_own_ctrl_c;

/*
 * Tells the engine whether Ctrl-C is this process's own ("intr PID 1": it
 * catches or ignores SIGINT, or reads its terminal raw) or the kernel's
 * SIGINT is to end it ("intr PID 0"). A process that computes without system
 * calls never reaches that SIGINT, so the engine ends such a root itself
 * (wasm/README.md, "Process hooks").
 */
static void report_ctrl_c(void)
{
    int own = terminal_raw || handlers[SIGINT] != SIG_DFL;
    if (own == reported_own_ctrl_c || !berth_hook_present)
        return;
    reported_own_ctrl_c = own;
    char line[32];
    int len = snprintf(line, sizeof line, "intr %d %d\n", (int)getpid(), own);
    berth_write_hook_line(line, len);
}

void berth_terminal_raw(int raw)
{
    terminal_raw = raw;
    report_ctrl_c();
}

static int ignored_by_default(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

__attribute__((export_name("berth_deliver_signal"))) void berth_deliver_signal(int sig)
{
    if (sig <= 0 || sig >= _NSIG)
        return;
    void (*handler)(int) = handlers[sig];
    if (handler == SIG_IGN || (handler == SIG_DFL && ignored_by_default(sig)))
        return;
    if (handler == SIG_DFL) {
        /* A pid namespace's init takes only the signals it has a handler for (pid_namespaces(7)): docker stop's SIGTERM to `sleep` as PID 1 waits for the SIGKILL. */
        if (getpid() == 1)
            return;
        _Exit(128 + sig); /* what a shell reports for a process a signal ended */
    }
    handler(sig);
}

void berth_catch_signals(void)
{
    if (dispatcher_registered)
        return;
    static const char export_name[] = "berth_deliver_signal";
    wasix_callback_signal(export_name, sizeof export_name - 1);
    dispatcher_registered = 1;
}

void (*signal(int sig, void (*handler)(int)))(int)
{
    if (sig <= 0 || sig >= _NSIG || sig == SIGKILL || sig == SIGSTOP) {
        errno = EINVAL;
        return SIG_ERR;
    }
    if (handler != SIG_DFL)
        berth_catch_signals();
    void (*previous)(int) = handlers[sig];
    handlers[sig] = handler;
    if (sig == SIGINT)
        report_ctrl_c();
    return previous;
}

void (*bsd_signal(int sig, void (*handler)(int)))(int) { return signal(sig, handler); }

int raise(int sig)
{
    if (sig <= 0 || sig >= _NSIG) {
        errno = EINVAL;
        return -1;
    }
    berth_deliver_signal(sig);
    return 0;
}
