/* The core's own event counters, read around every layer of a profiled invocation: the
 * Armv8.1-M PMU (Cortex-M55), the DWT profiling counters of Armv7-M and Armv8-M Mainline
 * (Cortex-M4, M7, M33), or none (the host board). Which one is chosen at compile time from the
 * architecture the firmware is built for; whether it answers is found at run time, since an
 * emulator may not model it (QEMU 7.2 reads the PMU and DWT as 0 and ignores writes). */
#ifndef ADRPC_COUNTERS_H
#define ADRPC_COUNTERS_H

#include <stdint.h>

/* The IDL's CounterInfo.kind. */
typedef enum {
    ADRPC_COUNTERS_NONE = 0,
    ADRPC_COUNTERS_PMU = 1, /* Armv8.1-M PMU: events are PMU event numbers */
    ADRPC_COUNTERS_DWT = 2, /* DWT: events are 0 CYCCNT, 1 CPICNT, 2 EXCCNT, 3 SLEEPCNT,
                               4 LSUCNT, 5 FOLDCNT */
} adrpc_counter_kind_t;

/* Most events one invocation counts at once (the M55's 8 PMU counters chained in pairs give 4;
 * the DWT has 6). */
#define ADRPC_MAX_EVENTS 6u

typedef struct {
    adrpc_counter_kind_t kind;
    uint32_t counters; /* hardware counters that answer: 0 when the unit reads as absent */
    uint32_t events;   /* events counted at once: counters / 2 when they are chained */
} adrpc_counters_t;

/* Enables the unit (DEMCR.TRCENA) and says what it offers. */
adrpc_counters_t adrpc_counters_init(void);

/* Counts `count` events (at most adrpc_counters_init().events) from now on; 0 if more are
 * asked than the unit counts at once. */
int adrpc_counters_select(const uint32_t *events, uint32_t count);

/* The selected counters' values, in selection order. */
void adrpc_counters_read(uint32_t *values);

/* Events of selected counter `k` between two reads (counters narrower than 32 bits wrap: the
 * DWT's 8-bit ones give the difference modulo 256). */
uint32_t adrpc_counters_delta(uint32_t k, uint32_t before, uint32_t after);

#endif /* ADRPC_COUNTERS_H */
