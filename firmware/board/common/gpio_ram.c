/* GPIO on the emulated boards: neither machine models pins the power handshake could use, so a
 * RAM array keeps each pin's level and a read returns the last level written to that pin. */
#include "bsp/bsp.h"

#define GPIO_PINS 256u

static uint8_t s_levels[GPIO_PINS];

void bsp_gpio_write(uint32_t pin, int level) {
    if (pin < GPIO_PINS) {
        s_levels[pin] = (uint8_t)(level != 0);
    }
}

int bsp_gpio_read(uint32_t pin) {
    return pin < GPIO_PINS ? s_levels[pin] : 0;
}
