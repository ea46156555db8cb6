/* Startup shared by the emulated boards: the vector table (placed first in the code memory by
 * the linker script) and the reset handler. No clock setup is needed on either machine. */
#include <string.h>

#include "board_common.h"

#include "bsp/bsp.h"

int main(void);

/* Fault handlers (fault.c). Every other exception ends up in default_handler. */
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);

/* Section bounds from the linker script. .data is copied from its load address in the code
 * memory only when that differs from where it runs (a real board's flash image); .bss is
 * zeroed. The arena and input staging sections are NOLOAD and left alone: the model fills them. */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];

#define CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SHCSR_FAULTS_ENABLE (0x7u << 16) /* MemManage, BusFault and UsageFault get own handlers */

void Reset_Handler(void) __attribute__((noreturn));

void Reset_Handler(void) {
    /* Full access to CP10/CP11: the FPU, and MVE on the M55. Before any floating-point code. */
    CPACR |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
    /* Armv8-M checks the stack pointer in hardware: an overflow faults instead of corrupting
     * the memory below the stack. */
    __asm volatile("msr msplim, %0" ::"r"(__stack_limit));
#endif
    __stack_limit[0] = BOARD_STACK_GUARD;
    SHCSR |= SHCSR_FAULTS_ENABLE;
    if (&__data_load[0] != &__data_start[0]) {
        memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    }
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    bsp_exit(main());
}

static void default_handler(void) {
    bsp_debug_write("error: unexpected exception or interrupt\n");
    bsp_exit(3);
}

typedef void (*vector_t)(void);

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
