/* Beats per Helium instruction on the Cortex-M55.
 *
 * The Cortex-M55 has a 64-bit vector data path (a dual-beat implementation): a 128-bit vector
 * instruction is 4 beats, 2 per cycle ("each vector operation take 2 clock cycles", Arm's
 * Helium optimization notes, github.com/Arm-Examples/Helium-Optimization,
 * General_optimizations/optimizing_c_functions.md; LLVM's Cortex-M55 model,
 * llvm/lib/Target/ARM/ARMScheduleM55.td, likewise gives every MVE instruction 2 cycles).
 *
 * No longer figure was found for interleaving loads/stores (VLD2x/VLD4x, VST2x/VST4x), the
 * 64-bit long reductions (VMLALDAV, VRMLALDAVH) or multiplies with 32-bit elements: the
 * Cortex-M55 Software Optimization Guide's tables were not reachable, and both sources above
 * treat them like any other vector instruction, so they count 4.
 *
 * Gathers and scatters with a vector of offsets are the exception: the Cortex-M55 makes at
 * most two element accesses of 32 bits or less per cycle for them (same notes,
 * General_optimizations/processor_specific.md, "Scatter gather instructions"; D-TCM, no bank
 * conflict; through the D-cache only one). So an instruction with N accesses takes at least
 * N/2 cycles, N beats: 16 for byte elements, 8 for halfwords, 4 for words and for
 * doublewords (2 elements of 2 accesses). The vector-base forms only exist for words and
 * doublewords: 4. This is derived from the access rate, not a documented beat count, and is
 * the best case (D-TCM). */
#include "beats.h"

#define DEFAULT_BEATS 4

int is_helium(enum insn_class c) {
    return c >= CLASS_MVE_LOAD && c <= CLASS_MVE_OTHER;
}

int is_helium_memory(enum insn_class c) {
    return c == CLASS_MVE_LOAD || c == CLASS_MVE_STORE;
}

/* VLDR<B|H|W|D>/VSTR<B|H|W|D> Qd, [Rn, Qm]: h1 = 111U 1100 1D0L Rn, h2 bits 12:9 = 0111 and
 * bits 8:7 the vector element size (Armv8.1-M ARM, "VLDRB, VLDRH, VLDRW, VLDRD (vector)").
 * Contiguous and widening loads have W (bit 5 of h1) set when P is clear; VLD2x/VLD4x have bit
 * 12 of h2 set. */
static unsigned offset_gather_scatter_accesses(uint16_t h1, uint16_t h2) {
    if ((h1 & 0xEFA0) != 0xEC80 || (h2 & 0x1E00) != 0x0E00) {
        return 0;
    }
    unsigned size = (h2 >> 7) & 3;
    return size == 3 ? 4 : 16u >> size;
}

unsigned helium_beats(enum insn_class c, uint16_t hw1, uint16_t hw2) {
    if (!is_helium(c)) {
        return 0;
    }
    if (is_helium_memory(c)) {
        unsigned accesses = offset_gather_scatter_accesses(hw1, hw2);
        return accesses > DEFAULT_BEATS ? accesses : DEFAULT_BEATS;
    }
    return DEFAULT_BEATS;
}
