/* Checks adrt_mve_requant_right (firmware/runtime/src/mve/depthwise_requant.h) against the scalar
 * reference (adrt/common.h) for every negative shift, multipliers across [2^30, 2^31) and
 * accumulators at the int32 extremes, near multiples of powers of two, small and at random. Prints
 * the number of differing lanes and exits with 0 only when there are none. */
#include <stdint.h>

#include "adrt/common.h"
#include "lane_check.h"
#include "depthwise_requant.h"

static uint32_t s_state = 0x9E3779B9u;

static uint32_t next_random(void) {
    return xorshift32(&s_state);
}

/* An accumulator: an int32 extreme, a multiple of a power of two give or take 2, small (what
 * real layers produce), or anything. */
static int32_t accumulator(void) {
    static const int32_t extremes[] = {INT32_MIN, INT32_MIN + 1, -1,       0,
                                       1,         INT32_MAX - 1, INT32_MAX};
    const uint32_t r = next_random();
    switch (r & 3u) {
    case 0:
        return extremes[(r >> 2) % (sizeof extremes / sizeof extremes[0])];
    case 1:
        return (int32_t)((next_random() & 0xFFFu) << ((r >> 2) % 20u)) * ((r & 64u) ? -1 : 1) +
               (int32_t)((r >> 7) % 5u) - 2;
    case 2:
        return (int32_t)(next_random() & 0x3FFFFu) - 0x20000;
    default:
        return (int32_t)next_random();
    }
}

int main(void) {
    long mismatches = 0, checked = 0;
    for (int32_t shift = -1; shift >= -31; --shift) {
        for (int round = 0; round < 1500; ++round) {
            const uint32_t m = next_random();
            const int32_t mult = (m & 15u) == 0   ? INT32_MAX
                                 : (m & 15u) == 1 ? (int32_t)0x40000000
                                                  : (int32_t)((m >> 1) | 0x40000000u);
            int32_t acc[4], got[4];
            for (int lane = 0; lane < 4; ++lane) {
                acc[lane] = accumulator();
            }
            vst1q_s32(got, adrt_mve_requant_right(vld1q_s32(acc), mult, shift));
            for (int lane = 0; lane < 4; ++lane) {
                mismatches += got[lane] != adrt_mul_by_quantized_multiplier(acc[lane], mult, shift);
                ++checked;
            }
        }
    }
    return report_lanes("depthwise_requant", mismatches, checked);
}
