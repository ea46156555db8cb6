/* Beats of the Helium (MVE) instructions on a Cortex-M55, decided from the encoding. */
#ifndef ADPROF_BEATS_H
#define ADPROF_BEATS_H

#include <stdint.h>

#include "classify.h"

/* Whether instructions of class `c` are Helium instructions (the mve_* classes). */
int is_helium(enum insn_class c);

/* Whether Helium instructions of class `c` belong to the memory group (loads, stores) rather
 * than to the data-processing group; a dual-beat core overlaps a pair from different groups. */
int is_helium_memory(enum insn_class c);

/* The beats the instruction (first halfword `hw1`, second `hw2`, of class `c`) takes on a
 * dual-beat Cortex-M55, which executes 2 beats per cycle; 0 for an instruction that is not
 * Helium. */
unsigned helium_beats(enum insn_class c, uint16_t hw1, uint16_t hw2);

#endif
