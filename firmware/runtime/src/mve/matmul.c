/* The Helium int8 matrix-multiply cores (see mve_matmul.h), one copy shared by the kernels.
 *
 * The block loops are inline assembly: VMLADAV needs even accumulator registers, and GCC 12
 * allocates odd ones and then moves them around inside the loop (17-19 instructions per block
 * instead of 12, and Clang 14 spills). Here the accumulators are bound to even registers; the
 * first block initializes them (VMLADAV), the others accumulate (VMLADAVA) in a low-overhead
 * loop (WLS/LE). */
#include "mve_matmul.h"

/* One channel pair against the three staged rows. */
static inline void pair_3x2(const int8_t *x, const int8_t **w, int32_t blocks, int32_t *sums) {
    register int32_t a00 __asm__("r0"); /* row 0, channel 0 */
    register int32_t a10 __asm__("r2");
    register int32_t a20 __asm__("r4");
    register int32_t a01 __asm__("r6"); /* row 0, channel 1 */
    register int32_t a11 __asm__("r8");
    register int32_t a21 __asm__("r10");
    const int8_t *f = *w;
    const int32_t more = blocks - 1;
    __asm__ volatile("vldrb.8     q1, [%[x], #16]\n\t"
                     "vldrb.8     q2, [%[x], #32]\n\t"
                     "vldrb.8     q0, [%[x]], #48\n\t"
                     "vldrb.8     q3, [%[f]], #16\n\t"
                     "vmladav.s8  %[a00], q0, q3\n\t"
                     "vmladav.s8  %[a10], q1, q3\n\t"
                     "vmladav.s8  %[a20], q2, q3\n\t"
                     "vldrb.8     q3, [%[f]], #16\n\t"
                     "vmladav.s8  %[a01], q0, q3\n\t"
                     "vmladav.s8  %[a11], q1, q3\n\t"
                     "vmladav.s8  %[a21], q2, q3\n\t"
                     "wls         lr, %[more], 2f\n"
                     "1:\n\t"
                     "vldrb.8     q1, [%[x], #16]\n\t"
                     "vldrb.8     q2, [%[x], #32]\n\t"
                     "vldrb.8     q0, [%[x]], #48\n\t"
                     "vldrb.8     q3, [%[f]], #16\n\t"
                     "vmladava.s8 %[a00], q0, q3\n\t"
                     "vmladava.s8 %[a10], q1, q3\n\t"
                     "vmladava.s8 %[a20], q2, q3\n\t"
                     "vldrb.8     q3, [%[f]], #16\n\t"
                     "vmladava.s8 %[a01], q0, q3\n\t"
                     "vmladava.s8 %[a11], q1, q3\n\t"
                     "vmladava.s8 %[a21], q2, q3\n\t"
                     "le          lr, 1b\n"
                     "2:"
                     : [a00] "=&r"(a00), [a10] "=&r"(a10), [a20] "=&r"(a20), [a01] "=&r"(a01),
                       [a11] "=&r"(a11), [a21] "=&r"(a21), [x] "+&r"(x), [f] "+&r"(f)
                     : [more] "r"(more)
                     : "q0", "q1", "q2", "q3", "lr", "memory");
    *w = f;
    sums[0] = a00;
    sums[1] = a01;
    sums[ADRT_MVE_CHUNK] = a10;
    sums[ADRT_MVE_CHUNK + 1] = a11;
    sums[2 * ADRT_MVE_CHUNK] = a20;
    sums[2 * ADRT_MVE_CHUNK + 1] = a21;
}

void adrt_mve_sums_3x2(const int8_t *staged, const int8_t **w, int32_t blocks, int32_t pairs,
                       int32_t *sums) {
    const int8_t *f = *w; /* a local: the asm's memory clobber would force *w out each pair */
    for (; pairs > 0; --pairs, sums += 2) {
        pair_3x2(staged, &f, blocks, sums);
    }
    *w = f;
}

/* Two channel pairs (f, then g = the next pair) against one row. */
static inline void quad_1x4(const int8_t *x, const int8_t **w, int32_t blocks, int32_t *sums) {
    register int32_t a0 __asm__("r0");
    register int32_t a1 __asm__("r2");
    register int32_t a2 __asm__("r4");
    register int32_t a3 __asm__("r6");
    const int8_t *f = *w;
    const int8_t *g = f + blocks * 32;
    const int32_t more = blocks - 1;
    __asm__ volatile("vldrb.8     q0, [%[x]], #16\n\t"
                     "vldrb.8     q1, [%[f]], #16\n\t"
                     "vmladav.s8  %[a0], q0, q1\n\t"
                     "vldrb.8     q1, [%[f]], #16\n\t"
                     "vmladav.s8  %[a1], q0, q1\n\t"
                     "vldrb.8     q1, [%[g]], #16\n\t"
                     "vmladav.s8  %[a2], q0, q1\n\t"
                     "vldrb.8     q1, [%[g]], #16\n\t"
                     "vmladav.s8  %[a3], q0, q1\n\t"
                     "wls         lr, %[more], 2f\n"
                     "1:\n\t"
                     "vldrb.8     q0, [%[x]], #16\n\t"
                     "vldrb.8     q1, [%[f]], #16\n\t"
                     "vmladava.s8 %[a0], q0, q1\n\t"
                     "vldrb.8     q1, [%[f]], #16\n\t"
                     "vmladava.s8 %[a1], q0, q1\n\t"
                     "vldrb.8     q1, [%[g]], #16\n\t"
                     "vmladava.s8 %[a2], q0, q1\n\t"
                     "vldrb.8     q1, [%[g]], #16\n\t"
                     "vmladava.s8 %[a3], q0, q1\n\t"
                     "le          lr, 1b\n"
                     "2:"
                     : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "+&r"(x),
                       [f] "+&r"(f), [g] "+&r"(g)
                     : [more] "r"(more)
                     : "q0", "q1", "lr", "memory");
    *w = g;
    sums[0] = a0;
    sums[1] = a1;
    sums[2] = a2;
    sums[3] = a3;
}

void adrt_mve_sums_1x4(const int8_t *x, const int8_t **w, int32_t blocks, int32_t quads,
                       int32_t *sums) {
    const int8_t *f = *w;
    for (; quads > 0; --quads, sums += 4) {
        quad_1x4(x, &f, blocks, sums);
    }
    *w = f;
}
