/* Board-support interface: everything firmware needs from the hardware, and nothing more.
 *
 * Apps (validator, power, example) and the RPC server call only these functions, so a board is
 * one directory of C that implements them: firmware/board/<name>/ for the emulated machines, or a
 * vendor-SDK package named by a platform YAML's `board_support.sources` for a real board. */
#ifndef BSP_BSP_H
#define BSP_BSP_H

#include <stddef.h>
#include <stdint.h>

/* Bring up what the apps use: FPU/MVE access, console, counter, GPIO. Called first in main(). */
void bsp_init(void);

/* Short board name, reported to the host (e.g. "mps3-an547"). */
const char *bsp_board_name(void);

/* The console carries the PC <-> board RPC link: raw bytes, no translation. */
void bsp_console_write(const void *data, size_t len);

/* Waits for one console byte. Returns 1 and stores it, or 0 when `timeout_ticks` counter ticks
 * pass first (0 waits forever). */
int bsp_console_read(uint8_t *byte, uint64_t timeout_ticks);

/* A free-running 64-bit counter and its rate. On the emulated boards under `-icount shift=0`
 * one nanosecond of virtual time is one executed instruction, so ticks * 1e9 / hz counts
 * instructions; on a real board it is the cycle counter or a timer. */
uint64_t bsp_counter(void);
uint32_t bsp_counter_hz(void);

/* GPIO for the power-measurement handshake (pins are the platform YAML's power.joulescope.gpio). */
void bsp_gpio_write(uint32_t pin, int level);
int bsp_gpio_read(uint32_t pin);

/* Diagnostics that must not disturb the RPC console (semihosting on the emulated boards). */
void bsp_debug_write(const char *text);

/* Ends the program with `status` (0 = success). On the emulator QEMU exits with it. */
void bsp_exit(int status) __attribute__((noreturn));

#endif /* BSP_BSP_H */
