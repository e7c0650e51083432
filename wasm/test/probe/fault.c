/*
 * probe's faults: a guest that traps on purpose, as a crashing program would.
 *   probe trap unreachable      __builtin_trap(): WebAssembly's `unreachable`
 *   probe trap memory           a load far past the end of linear memory
 *   probe trap call             a call through a null function pointer
 *                               ("null function or function signature mismatch")
 *   probe trap divide           an integer division by zero
 *   probe trap stack            unbounded recursion (call stack exhausted)
 * Each prints "trapping MODE" (flushed) first, so a test sees it got that far.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

/* Recursion the optimizer cannot turn into a loop: the sum needs every frame.
   n only grows from 0, so the stack runs out long before the base case. */
static int deep(volatile int n)
{
    if (n < 0)
        return 0;
    volatile char frame[256];
    frame[0] = (char)n;
    return deep(n + 1) + frame[0];
}

int probe_fault(const char *cmd, int argc, char **argv)
{
    if (strcmp(cmd, "trap") || argc < 1)
        return -1;
    const char *mode = argv[0];
    printf("trapping %s\n", mode);
    fflush(stdout);
    if (!strcmp(mode, "unreachable")) {
        __builtin_trap();
    } else if (!strcmp(mode, "memory")) {
        /* 4 GiB - 16: past any memory a wasm32 module has, so the load itself traps */
        volatile uint32_t *far = (volatile uint32_t *)(uintptr_t)0xfffffff0u;
        return (int)*far;
    } else if (!strcmp(mode, "call")) {
        /* table slot 0 is empty: a null function pointer's call reaches no function */
        int (*volatile fn)(void) = NULL;
        return fn();
    } else if (!strcmp(mode, "divide")) {
        /* both volatile: clang turns 1 / x into a compare, which never traps */
        volatile int one = 1, zero = 0;
        return one / zero;
    } else if (!strcmp(mode, "stack")) {
        return deep(0);
    }
    return 2;
}
