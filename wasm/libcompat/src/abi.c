/*
 * The kernel's ABI, checked before a program starts (wasm/README.md, "No
 * failed spawns"). A WebAssembly program names the system interfaces it was
 * built for in its imports; the kernel provides WASI preview 1 (and its
 * unstable predecessor) and WASIX for wasm32, and memory from "env" for
 * threaded programs. A module that imports anything else was built for
 * another kernel (an old userland on a new kernel: the centos:6 story), and
 * the kernel would fail to instantiate it in one of its workers, which the
 * SDK does not survive. So such a file is refused as Linux refuses a binary
 * for another machine: ENOEXEC, "Exec format error".
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* A reader over the file, a buffer at a time. */
struct reader {
    int fd;
    unsigned char buf[4096];
    size_t len, pos;
    int failed;
};

static int next_byte(struct reader *r)
{
    if (r->pos == r->len) {
        ssize_t n = read(r->fd, r->buf, sizeof r->buf);
        if (n <= 0) {
            r->failed = 1;
            return 0;
        }
        r->len = (size_t)n;
        r->pos = 0;
    }
    return r->buf[r->pos++];
}

static uint32_t leb_u32(struct reader *r)
{
    uint32_t value = 0;
    for (int shift = 0; shift < 35 && !r->failed; shift += 7) {
        int byte = next_byte(r);
        value |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return value;
    }
    r->failed = 1;
    return 0;
}

static void skip(struct reader *r, uint32_t n)
{
    size_t buffered = r->len - r->pos;
    if (n <= buffered) {
        r->pos += n;
        return;
    }
    if (lseek(r->fd, (off_t)(n - buffered), SEEK_CUR) < 0)
        r->failed = 1;
    r->len = r->pos = 0;
}

/* Reads a name into out (cut to size - 1 bytes). */
static void name(struct reader *r, char *out, size_t size)
{
    uint32_t len = leb_u32(r);
    size_t kept = 0;
    for (uint32_t i = 0; i < len && !r->failed; i++) {
        int c = next_byte(r);
        if (kept + 1 < size)
            out[kept++] = (char)c;
    }
    out[kept] = 0;
}

static void limits(struct reader *r)
{
    int flags = next_byte(r);
    leb_u32(r);
    if (flags & 1)
        leb_u32(r);
}

enum { IMPORT_FUNC = 0, IMPORT_TABLE = 1, IMPORT_MEMORY = 2, IMPORT_GLOBAL = 3 };

static int known_import(const char *module, int kind)
{
    if (!strcmp(module, "wasi_snapshot_preview1") || !strcmp(module, "wasi_unstable") || !strcmp(module, "wasix_32v1"))
        return 1;
    return !strcmp(module, "env") && kind == IMPORT_MEMORY;
}

int berth_module_abi_ok(int fd)
{
    struct reader r = {.fd = fd};
    if (lseek(fd, 8, SEEK_SET) != 8) /* "\0asm" and the version */
        return 0;
    for (;;) {
        int id = next_byte(&r);
        if (r.failed)
            return 1; /* the end: no import section */
        uint32_t size = leb_u32(&r);
        if (id == 0 || id == 1) { /* custom sections come anywhere, types before the imports */
            skip(&r, size);
            continue;
        }
        if (id != 2) /* sections come in order: past the imports there are none */
            return !r.failed;
        uint32_t count = leb_u32(&r);
        for (uint32_t i = 0; i < count; i++) {
            char module[64], field[64];
            name(&r, module, sizeof module);
            name(&r, field, sizeof field);
            int kind = next_byte(&r);
            if (r.failed || !known_import(module, kind))
                return 0;
            switch (kind) {
            case IMPORT_FUNC:
                leb_u32(&r);
                break;
            case IMPORT_TABLE:
                next_byte(&r);
                limits(&r);
                break;
            case IMPORT_MEMORY:
                limits(&r);
                break;
            case IMPORT_GLOBAL:
                next_byte(&r);
                next_byte(&r);
                break;
            default:
                return 0;
            }
        }
        return !r.failed;
    }
}
