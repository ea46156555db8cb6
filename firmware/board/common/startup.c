/* Startup shared by the emulated boards: the vector table and the boot code, which the linker
 * script puts first in the platform's boot memory (non-volatile: what a flash tool writes), and
 * the reset sequence.
 *
 * At power-up only non-volatile memory holds anything. Whatever runs from volatile memory (code
 * in ITCM, the model in TCM or SRAM, .data) has its load image in the boot memory and is copied
 * before main() from the copy table the linker script generates. Until that copy is done only
 * the code in section .boot_text may run, and it calls nothing outside it. No clock setup is
 * needed on either machine. */
#include <string.h>

#include "board_common.h"

#include "bsp/bsp.h"

int main(void);

/* Fault handlers (fault.c). Every other exception ends up in default_handler. */
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);

/* From the linker script: the copy table and .bss. The arena and input staging sections are
 * NOLOAD and left alone: the model fills them. */
extern const board_copy_t __boot_copy_start[], __boot_copy_end[];
extern uint32_t __bss_start[], __bss_end[];

#define CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define VTOR (*(volatile uint32_t *)0xE000ED08u)
#define SHCSR_FAULTS_ENABLE (0x7u << 16) /* MemManage, BusFault and UsageFault get own handlers */

#define BOOT_TEXT __attribute__((section(".boot_text")))

typedef void (*vector_t)(void);
extern const vector_t board_vectors[16];

void board_boot(void) __attribute__((noreturn, used));

/* Sets the main stack itself (a boot ROM or an emulator may start the core here without
 * loading the vector table's), then continues in C. */
BOOT_TEXT __attribute__((naked, noreturn)) void Reset_Handler(void) {
    __asm volatile("movw r0, #:lower16:__stack_top\n\t"
                   "movt r0, #:upper16:__stack_top\n\t"
                   "msr msp, r0\n\t"
                   "b board_boot");
}

/* Hand-written so that its cost is known exactly: autodeploy/memory/boot.py counts its
 * instructions (6 + 4 per record + 4 per 16 bytes) and tests/test_boot.py checks the count on
 * the emulator. Registers: r0 the record, r1 the table's end, r2/r3 load/run address, r4 the
 * bytes left, r5-r7 and r12 the 16 bytes in flight. */
BOOT_TEXT __attribute__((naked)) void board_boot_copy(const board_copy_t *first
                                                      __attribute__((unused)),
                                                      const board_copy_t *end
                                                      __attribute__((unused))) {
    __asm volatile("push {r4-r7}\n\t"
                   "b 2f\n"
                   "1:\n\t"
                   "ldmia r0!, {r2, r3, r4}\n\t"
                   "cbz r4, 2f\n"
                   "3:\n\t"
                   "ldmia r2!, {r5, r6, r7, r12}\n\t"
                   "stmia r3!, {r5, r6, r7, r12}\n\t"
                   "subs r4, r4, #16\n\t"
                   "bne 3b\n"
                   "2:\n\t"
                   "cmp r0, r1\n\t"
                   "bne 1b\n\t"
                   "pop {r4-r7}\n\t"
                   "bx lr");
}

BOOT_TEXT void board_boot(void) {
    /* Full access to CP10/CP11: the FPU, and MVE on the M55. Before any floating-point or
     * vector code. */
    CPACR |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
    /* Armv8-M checks the stack pointer in hardware: an overflow faults instead of corrupting
     * the memory below the stack. */
    __asm volatile("msr msplim, %0" ::"r"(__stack_limit));
#endif
    VTOR = (uint32_t)(uintptr_t)board_vectors;
    board_boot_copy(__boot_copy_start, __boot_copy_end);
    __asm volatile("dsb\n\tisb" ::: "memory"); /* the copied code is fetched afresh */
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    __stack_limit[0] = BOARD_STACK_GUARD;
    SHCSR |= SHCSR_FAULTS_ENABLE;
    bsp_exit(main());
}

static void default_handler(void) {
    bsp_debug_write("error: unexpected exception or interrupt\n");
    bsp_exit(3);
}

/* The 16 system exceptions of Armv7-M/Armv8-M; no interrupt is enabled, so none follows. */
__attribute__((section(".vectors"), used)) const vector_t board_vectors[16] = {
    (vector_t)(uintptr_t)__stack_top, /* initial main stack pointer */
    Reset_Handler,
    default_handler, /* NMI */
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    default_handler, /* SecureFault (Armv8-M) */
    0,
    0,
    0,
    default_handler, /* SVCall */
    default_handler, /* DebugMonitor */
    0,
    default_handler, /* PendSV */
    default_handler, /* SysTick */
};
