/* Fault handlers of the emulated boards: print where the fault happened (stacked PC and LR,
 * the fault status and address registers) through bsp_debug_write and exit with status 3. */
#include "board_common.h"

#include "bsp/bsp.h"

#define CFSR (*(volatile uint32_t *)0xE000ED28u)
#define HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define BFAR (*(volatile uint32_t *)0xE000ED38u)

void board_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t kind)
    __attribute__((noreturn, used));

void board_hex32(char out[11], uint32_t value) {
    static const char digits[] = "0123456789abcdef";
    int i;
    out[0] = '0';
    out[1] = 'x';
    for (i = 0; i < 8; i++) {
        out[2 + i] = digits[(value >> (28 - 4 * i)) & 0xFu];
    }
    out[10] = '\0';
}

static void print_register(const char *name, uint32_t value) {
    char hex[11];
    board_hex32(hex, value);
    bsp_debug_write(name);
    bsp_debug_write(hex);
}

/* `frame` is the exception stack frame: r0, r1, r2, r3, r12, lr, pc, xpsr. */
void board_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t kind) {
    static const char *const names[] = {"HardFault", "MemManage", "BusFault", "UsageFault"};
    bsp_debug_write("fault: ");
    bsp_debug_write(names[kind & 3u]);
    print_register(" PC=", frame[6]);
    print_register(" LR=", frame[5]);
    print_register(" xPSR=", frame[7]);
    print_register(" CFSR=", CFSR);
    print_register(" HFSR=", HFSR);
    print_register(" MMFAR=", MMFAR);
    print_register(" BFAR=", BFAR);
    print_register(" EXC_RETURN=", exc_return);
    bsp_debug_write("\n");
    bsp_exit(3);
}

/* Bit 2 of EXC_RETURN tells which stack holds the frame (0: main, 1: process). Naked, so the
 * handlers do not push anything before the frame is found. */
#define FAULT_HANDLER(name, kind)                                                                  \
    __attribute__((naked)) void name(void) {                                                       \
        __asm volatile("movs r2, #" #kind "\n\t"                                                   \
                       "tst lr, #4\n\t"                                                            \
                       "ite eq\n\t"                                                                \
                       "mrseq r0, msp\n\t"                                                         \
                       "mrsne r0, psp\n\t"                                                         \
                       "mov r1, lr\n\t"                                                            \
                       "b board_fault_report\n");                                                  \
    }

void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);

FAULT_HANDLER(HardFault_Handler, 0)
FAULT_HANDLER(MemManage_Handler, 1)
FAULT_HANDLER(BusFault_Handler, 2)
FAULT_HANDLER(UsageFault_Handler, 3)
