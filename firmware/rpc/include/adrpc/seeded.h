/* Seeded input data generated on the board, so a run needs no upload (host -> board is about
 * 33 KB/s on the emulator). The host mirror (site_scons/autodeploy/rpc/inputs.py) produces the
 * same bytes; keep the two in step.
 *
 * Element j of input i for run r and seed s:
 *   key = ((uint64)s << 32) ^ ((uint64)r << 8) ^ i
 *   x   = mix(key + (j + 1) * 0x9E3779B97F4A7C15)   (splitmix64's finalizer, uint64 wrap-around)
 *   mix(z): z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB;
 *           z ^= z >> 31
 * INT8/UINT8 take the top 8 bits of x, INT16 the top 16, INT32 the top 32, INT64 all 64 (two's
 * complement), FLOAT32 = (float)(x >> 40) / 2^24 * 2 - 1 (exact in float32, in [-1, 1)). */
#ifndef ADRPC_SEEDED_H
#define ADRPC_SEEDED_H

#include <stdint.h>

#include "adrt/model_api.h"

/* Fills `bytes` bytes at `out` (little-endian elements of `dtype`) for input `index`. */
void adrpc_seeded_fill(void *out, uint32_t bytes, adrt_dtype_t dtype, uint32_t seed, uint32_t run,
                       uint32_t index);

#endif /* ADRPC_SEEDED_H */
