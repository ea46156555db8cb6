/* Register addresses and fields:
 * - DEMCR (0xE000EDFC), TRCENA bit 24: enables the DWT and the PMU (Armv7-M and Armv8-M
 *   Architecture Reference Manuals, Debug Exception and Monitor Control Register).
 * - Armv8.1-M PMU at 0xE0003000 (Armv8-M Architecture Reference Manual, Performance Monitors
 *   Extension; Cortex-M55 TRM, PMU register summary): PMU_EVCNTRn +4n, PMU_EVTYPERn +0x400+4n,
 *   PMU_CNTENSET +0xC00, PMU_CNTENCLR +0xC20, PMU_OVSCLR +0xC80, PMU_TYPE +0xE00 (N: bits 7:0,
 *   the event counters implemented), PMU_CTRL +0xE04 (E bit 0 enables, P bit 1 zeroes the event
 *   counters). Event 0x001E (CHAIN) on an odd counter counts the overflows of the even counter
 *   below it. The Cortex-M55 has 8 event counters of 16 bits, so they are chained in pairs into
 *   4 counters of 32 bits; the width is found by writing all ones to a stopped counter and
 *   reading back (unimplemented bits read as zero), so 32-bit counters are used unchained.
 * - DWT at 0xE0001000 (Armv7-M ARM, DWT programmers' model): DWT_CTRL +0x000 (CYCCNTENA bit 0,
 *   CPIEVTENA 17, EXCEVTENA 18, SLEEPEVTENA 19, LSUEVTENA 20, FOLDEVTENA 21; NOPRFCNT bit 24 and
 *   NOCYCCNT bit 25 say a counter is absent), CYCCNT +0x004 (32 bits), then the 8-bit CPICNT,
 *   EXCCNT, SLEEPCNT, LSUCNT and FOLDCNT at +0x008 to +0x018.
 * A unit whose enable bits do not read back (QEMU 7.2: the whole range reads 0) has no
 * counters. */
#include "adrpc/counters.h"

#define REG(address) (*(volatile uint32_t *)(address))

/* Armv8.1-M: clang says so; GCC 12 calls it Armv8-M Mainline too, but only Armv8.1-M has MVE
 * (so a Cortex-M55 built by GCC without MVE is taken for Armv8-M Mainline and its DWT used). */
#if defined(__ARM_ARCH_8_1M_MAIN__) || (defined(__ARM_ARCH_8M_MAIN__) && defined(__ARM_FEATURE_MVE))
#define ARMV81M_PMU 1
#endif

#if defined(ARMV81M_PMU) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_7M__) ||               \
    defined(__ARM_ARCH_8M_MAIN__)
#define DEMCR REG(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)

static int trace_enabled(void) {
    DEMCR |= DEMCR_TRCENA;
    return (DEMCR & DEMCR_TRCENA) != 0;
}
#endif

static uint32_t s_selected[ADRPC_MAX_EVENTS];
static uint32_t s_count;
static adrpc_counters_t s_unit;

#if defined(ARMV81M_PMU)

#define PMU_EVCNTR(n) REG(0xE0003000u + 4u * (n))
#define PMU_EVTYPER(n) REG(0xE0003400u + 4u * (n))
#define PMU_CNTENSET REG(0xE0003C00u)
#define PMU_CNTENCLR REG(0xE0003C20u)
#define PMU_OVSCLR REG(0xE0003C80u)
#define PMU_TYPE REG(0xE0003E00u)
#define PMU_CTRL REG(0xE0003E04u)
#define PMU_CTRL_E 1u
#define PMU_CTRL_P 2u
#define PMU_EVENT_CHAIN 0x001Eu
#define PMU_ALL_EVENT_COUNTERS 0x7FFFFFFFu

static int s_chained; /* 16-bit counters: event k is counters 2k (low) and 2k+1 (high) */

adrpc_counters_t adrpc_counters_init(void) {
    adrpc_counters_t unit = {ADRPC_COUNTERS_PMU, 0, 0};
    if (trace_enabled()) {
        unit.counters = PMU_TYPE & 0xFFu;
    }
    if (unit.counters > 0) {
        PMU_CNTENCLR = PMU_ALL_EVENT_COUNTERS;
        PMU_EVCNTR(0) = 0xFFFFFFFFu;
        s_chained = PMU_EVCNTR(0) != 0xFFFFFFFFu;
        PMU_EVCNTR(0) = 0;
        unit.events = s_chained ? unit.counters / 2u : unit.counters;
    }
    if (unit.events > ADRPC_MAX_EVENTS) {
        unit.events = ADRPC_MAX_EVENTS;
    }
    s_unit = unit;
    return unit;
}

int adrpc_counters_select(const uint32_t *events, uint32_t count) {
    if (count > s_unit.events) {
        return 0;
    }
    PMU_CNTENCLR = PMU_ALL_EVENT_COUNTERS;
    uint32_t step = s_chained ? 2u : 1u;
    uint32_t enable = 0;
    for (uint32_t k = 0; k < count; k++) {
        PMU_EVTYPER(step * k) = events[k];
        enable |= 1u << (step * k);
        if (s_chained) {
            PMU_EVTYPER(step * k + 1u) = PMU_EVENT_CHAIN;
            enable |= 1u << (step * k + 1u);
        }
        s_selected[k] = events[k];
    }
    s_count = count;
    PMU_CTRL |= PMU_CTRL_E | PMU_CTRL_P;
    PMU_OVSCLR = PMU_ALL_EVENT_COUNTERS;
    PMU_CNTENSET = enable;
    return 1;
}

/* A chained pair read while it counts: the high half again after the low one, and the low one
 * again if the high half moved in between (the low half then just wrapped). */
static uint32_t read_pair(uint32_t low) {
    uint32_t high = PMU_EVCNTR(low + 1u);
    uint32_t value = PMU_EVCNTR(low);
    uint32_t again = PMU_EVCNTR(low + 1u);
    if (again != high) {
        value = PMU_EVCNTR(low);
    }
    return (again << 16) | (value & 0xFFFFu);
}

void adrpc_counters_read(uint32_t *values) {
    for (uint32_t k = 0; k < s_count; k++) {
        values[k] = s_chained ? read_pair(2u * k) : PMU_EVCNTR(k);
    }
}

uint32_t adrpc_counters_delta(uint32_t k, uint32_t before, uint32_t after) {
    (void)k;
    return after - before;
}

#elif defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_8M_MAIN__)

#define DWT_CTRL REG(0xE0001000u)
#define DWT_COUNTER(index) REG(0xE0001004u + 4u * (index)) /* 0 CYCCNT ... 5 FOLDCNT */
#define DWT_CYCCNTENA 1u
#define DWT_PROFILING_ENABLES (0x1Fu << 17) /* CPIEVTENA ... FOLDEVTENA */
#define DWT_NOPRFCNT (1u << 24)
#define DWT_NOCYCCNT (1u << 25)
#define DWT_COUNTERS 6u

adrpc_counters_t adrpc_counters_init(void) {
    adrpc_counters_t unit = {ADRPC_COUNTERS_DWT, 0, 0};
    if (trace_enabled()) {
        uint32_t ctrl = DWT_CTRL;
        uint32_t want = (ctrl & DWT_NOCYCCNT ? 0u : DWT_CYCCNTENA) |
                        (ctrl & DWT_NOPRFCNT ? 0u : DWT_PROFILING_ENABLES);
        DWT_CTRL = ctrl | want;
        /* every counter or none: the host asks for them by index */
        if (want == (DWT_CYCCNTENA | DWT_PROFILING_ENABLES) && (DWT_CTRL & want) == want) {
            unit.counters = DWT_COUNTERS;
            unit.events = DWT_COUNTERS;
        }
    }
    s_unit = unit;
    return unit;
}

int adrpc_counters_select(const uint32_t *events, uint32_t count) {
    if (count > s_unit.events) {
        return 0;
    }
    for (uint32_t k = 0; k < count; k++) {
        if (events[k] >= DWT_COUNTERS) {
            return 0;
        }
    }
    for (uint32_t k = 0; k < count; k++) {
        s_selected[k] = events[k];
    }
    s_count = count;
    return 1;
}

void adrpc_counters_read(uint32_t *values) {
    for (uint32_t k = 0; k < s_count; k++) {
        values[k] = DWT_COUNTER(s_selected[k]);
    }
}

uint32_t adrpc_counters_delta(uint32_t k, uint32_t before, uint32_t after) {
    uint32_t mask = s_selected[k] == 0 ? 0xFFFFFFFFu : 0xFFu; /* only CYCCNT is 32 bits */
    return (after - before) & mask;
}

#else /* the host board: no counters */

adrpc_counters_t adrpc_counters_init(void) {
    adrpc_counters_t unit = {ADRPC_COUNTERS_NONE, 0, 0};
    s_unit = unit;
    return unit;
}

int adrpc_counters_select(const uint32_t *events, uint32_t count) {
    (void)events;
    s_count = 0;
    (void)s_selected;
    return count == 0;
}

void adrpc_counters_read(uint32_t *values) {
    (void)values;
}

uint32_t adrpc_counters_delta(uint32_t k, uint32_t before, uint32_t after) {
    (void)k;
    return after - before;
}

#endif
