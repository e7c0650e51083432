/*
 * setjmp/longjmp without unwinding: clang 14 has no WebAssembly SjLj lowering
 * (and wasi-libc no setjmp), so setjmp returns 0 and longjmp ends the process
 * with the value as its exit status (terminal.c). Code that longjmps to
 * recover from an error (toybox's NOEXIT paths) exits instead.
 */
#ifndef BERTH_SETJMP_H
#define BERTH_SETJMP_H
typedef int jmp_buf[1];
typedef int sigjmp_buf[1];
#define setjmp(env) ((void)(env), 0)
#define sigsetjmp(env, save) ((void)(env), (void)(save), 0)
_Noreturn void longjmp(jmp_buf env, int value);
_Noreturn void siglongjmp(sigjmp_buf env, int value);
#endif
