/* CMSDK APB UART, the console of both emulated machines (QEMU's cmsdk-apb-uart). */
#include "board_common.h"

#include "bsp/bsp.h"

#define UART_DATA(base) (*(volatile uint32_t *)((base) + 0x00u))
#define UART_STATE(base) (*(volatile uint32_t *)((base) + 0x04u))
#define UART_CTRL(base) (*(volatile uint32_t *)((base) + 0x08u))
#define UART_BAUDDIV(base) (*(volatile uint32_t *)((base) + 0x10u))

#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u
#define CTRL_TX_EN 0x1u
#define CTRL_RX_EN 0x2u

void cmsdk_uart_init(uintptr_t base) {
    UART_BAUDDIV(base) = 16u; /* the smallest divider the UART accepts; QEMU ignores the rate */
    UART_CTRL(base) = CTRL_TX_EN | CTRL_RX_EN;
    /* One dummy read after enabling RX: without it QEMU delays the first received byte ~1 s. */
    (void)UART_DATA(base);
}

void cmsdk_uart_write(uintptr_t base, const void *data, size_t len) {
    const uint8_t *bytes = (const uint8_t *)data;
    size_t i;
    for (i = 0; i < len; i++) {
        while (UART_STATE(base) & STATE_TX_FULL) {
        }
        UART_DATA(base) = bytes[i];
    }
}

int cmsdk_uart_read(uintptr_t base, uint8_t *byte, uint64_t timeout_ticks) {
    const uint64_t start = bsp_counter();
    while (!(UART_STATE(base) & STATE_RX_FULL)) {
        if (timeout_ticks != 0u && bsp_counter() - start >= timeout_ticks) {
            return 0;
        }
    }
    *byte = (uint8_t)UART_DATA(base);
    return 1;
}
