/* Arm semihosting (bkpt 0xAB) for diagnostics and exit: QEMU runs with
 * `-semihosting-config enable=on,target=native`, which prints SYS_WRITE0 text on its stderr and
 * ends with SYS_EXIT_EXTENDED's status as its own exit code. Without semihosting enabled the
 * bkpt locks the core up, so these boards need it. */
#include "board_common.h"

#include "bsp/bsp.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static void semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
}

void bsp_debug_write(const char *text) {
    semihost(SYS_WRITE0, text);
}

void bsp_exit(int status) {
    /* The stack grows down towards its guard word (set by the startup): an overwritten guard
     * means the stack overflowed at some point, which makes any result suspect. */
    if (__stack_limit[0] != BOARD_STACK_GUARD) {
        bsp_debug_write("error: the main stack overflowed (guard word at __stack_limit "
                        "overwritten); raise firmware.stack_kb in the platform YAML\n");
        status = 3;
    }
    const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    semihost(SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}
