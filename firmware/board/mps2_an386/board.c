/* Board support for QEMU's mps2-an386: a Cortex-M4 with FPU on the MPS2 FPGA board.
 * Console: CMSDK UART0; counter: CMSDK timer 0 counting down at the 25 MHz peripheral clock,
 * extended to 64 bits here (under `-icount shift=0` one tick is 40 executed instructions).
 * Startup, faults, semihosting and GPIO are shared (firmware/board/common). */
#include "board_common.h"

#include "bsp/bsp.h"

#define UART0_BASE 0x40004000u

#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
#define TIMER_ENABLE 0x1u
#define COUNTER_HZ 25000000u

/* The 32-bit timer wraps every 171 s; bsp_counter() counts the wraps it sees, so it must be
 * called at least that often (every timeout loop and profile read does). */
static uint32_t s_last, s_wraps;

void bsp_init(void) {
    TIMER0_CTRL = 0u;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = TIMER_ENABLE;
    s_last = 0u;
    s_wraps = 0u;
    cmsdk_uart_init(UART0_BASE);
}

const char *bsp_board_name(void) {
    return "mps2-an386";
}

void bsp_console_write(const void *data, size_t len) {
    cmsdk_uart_write(UART0_BASE, data, len);
}

int bsp_console_read(uint8_t *byte, uint64_t timeout_ticks) {
    return cmsdk_uart_read(UART0_BASE, byte, timeout_ticks);
}

uint64_t bsp_counter(void) {
    const uint32_t now = ~TIMER0_VALUE; /* counts up from 0 */
    if (now < s_last) {
        s_wraps++;
    }
    s_last = now;
    return ((uint64_t)s_wraps << 32) | now;
}

uint32_t bsp_counter_hz(void) {
    return COUNTER_HZ;
}
