/* Test app: reads an address nothing is mapped at, which must end in the board's fault handler
 * (a printed register dump, exit status 3). */
#include <stdint.h>

#include "bsp/bsp.h"

int main(void) {
    bsp_init();
    bsp_debug_write("fault app: reading 0xF0000000\n");
    return (int)*(volatile uint32_t *)0xF0000000u;
}
