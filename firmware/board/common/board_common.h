/* Pieces the emulated boards share (firmware/board/common): the CMSDK APB UART both machines
 * use as console, the startup's linker symbols and small formatting help for diagnostics. */
#ifndef BOARD_COMMON_H
#define BOARD_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* CMSDK APB UART (Arm's Cortex-M System Design Kit) at `base`. */
void cmsdk_uart_init(uintptr_t base);
void cmsdk_uart_write(uintptr_t base, const void *data, size_t len);
/* 1 and the byte, or 0 when `timeout_ticks` bsp_counter() ticks pass first (0: wait forever). */
int cmsdk_uart_read(uintptr_t base, uint8_t *byte, uint64_t timeout_ticks);

/* Writes "0x" and 8 hex digits of `value` to `out` (11 bytes with the terminating NUL). */
void board_hex32(char out[11], uint32_t value);

/* Set by the linker script (site_scons/autodeploy/firmware/linker.py). */
extern uint32_t __stack_limit[]; /* lowest word of the main stack: holds the guard value */
extern uint32_t __stack_top[];

/* One record of the boot copy table: `bytes` (a multiple of 16) from `load` (in the boot
 * memory) to `run` (where the section runs), copied by the start-up before main(). */
typedef struct {
    const uint32_t *load;
    uint32_t *run;
    uint32_t bytes;
} board_copy_t;

/* Copies every record of [first, end), 16 bytes per iteration (startup.c). */
void board_boot_copy(const board_copy_t *first, const board_copy_t *end);

#define BOARD_STACK_GUARD 0x57AC6A2Du

#endif /* BOARD_COMMON_H */
