/* runner_io.h on the emulated boards: Arm semihosting file operations (QEMU runs with
 * `-semihosting-config enable=on,target=native` and serves files relative to its working
 * folder; SYS_READ moves megabytes in a fraction of a second). */
#include <stdint.h>
#include <string.h>

#include "bsp/bsp.h"

#include "runner_io.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define OPEN_MODE_RB 1u /* fopen mode "rb" */
#define OPEN_MODE_WB 5u /* fopen mode "wb" */

static int32_t semihost(uint32_t op, const void *args) {
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = args;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

int runner_open(const char *path, int for_writing) {
    const uint32_t args[3] = {(uint32_t)(uintptr_t)path, for_writing ? OPEN_MODE_WB : OPEN_MODE_RB,
                              (uint32_t)strlen(path)};
    return semihost(SYS_OPEN, args);
}

size_t runner_read(int handle, void *data, size_t len) {
    const uint32_t args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)data, (uint32_t)len};
    return len - (size_t)semihost(SYS_READ, args); /* the call returns the bytes NOT read */
}

int runner_write(int handle, const void *data, size_t len) {
    const uint32_t args[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)data, (uint32_t)len};
    return semihost(SYS_WRITE, args) == 0; /* the bytes NOT written */
}

int runner_close(int handle) {
    const uint32_t args[1] = {(uint32_t)handle};
    return semihost(SYS_CLOSE, args) == 0;
}

void runner_error(const char *text) {
    bsp_debug_write(text);
}
