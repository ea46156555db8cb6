/* Board support for QEMU's mps3-an547: Arm Corstone-300 (SSE-300) with a Cortex-M55.
 * Console: CMSDK UART0; counter: the SSE-300 system counter (32 MHz nominal; under
 * `-icount shift=0` one tick is 31.25 executed instructions). Startup, faults, semihosting
 * and GPIO are shared with the other emulated board (firmware/board/common). */
#include "board_common.h"

#include "bsp/bsp.h"

#define UART0_BASE 0x49303000u

/* System counter: the control frame (secure only; CNTCR bit 0 starts counting) and the
 * read-only status frame. */
#define CNTCR (*(volatile uint32_t *)0x58100000u)
#define CNTCVL (*(volatile uint32_t *)0x48101000u)
#define CNTCVU (*(volatile uint32_t *)0x48101004u)
#define COUNTER_HZ 32000000u

void bsp_init(void) {
    CNTCR |= 1u;
    cmsdk_uart_init(UART0_BASE);
}

const char *bsp_board_name(void) {
    return "mps3-an547";
}

void bsp_console_write(const void *data, size_t len) {
    cmsdk_uart_write(UART0_BASE, data, len);
}

int bsp_console_read(uint8_t *byte, uint64_t timeout_ticks) {
    return cmsdk_uart_read(UART0_BASE, byte, timeout_ticks);
}

uint64_t bsp_counter(void) {
    uint32_t high, low;
    do { /* re-read when the low word wrapped between the two reads */
        high = CNTCVU;
        low = CNTCVL;
    } while (CNTCVU != high);
    return ((uint64_t)high << 32) | low;
}

uint32_t bsp_counter_hz(void) {
    return COUNTER_HZ;
}
