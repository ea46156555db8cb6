/* Checks the Helium requantization helpers (firmware/runtime/src/mve/mve_requant.h) against the
 * scalar reference (adrt/common.h) on pseudo-random and extreme accumulators, multipliers and
 * shifts. Prints the number of differing lanes and exits with 0 only when there are none. */
#include <stdint.h>

#include "adrt/common.h"
#include "lane_check.h"
#include "mve_requant.h"

static uint32_t s_state = 0x2545F491u;

static uint32_t next_random(void) {
    return xorshift32(&s_state);
}

static const int32_t EDGES[] = {INT32_MIN,
                                INT32_MIN + 1,
                                -65537,
                                -65536,
                                -32769,
                                -256,
                                -129,
                                -128,
                                -3,
                                -2,
                                -1,
                                0,
                                1,
                                2,
                                3,
                                127,
                                128,
                                255,
                                32767,
                                65536,
                                INT32_MAX - 1,
                                INT32_MAX};

static int32_t random_acc(void) {
    uint32_t r = next_random();
    switch (r & 3u) {
    case 0:
        return EDGES[(r >> 2) % (sizeof EDGES / sizeof EDGES[0])];
    case 1:
        return (int32_t)(next_random() & 0xFFFFu) - 0x8000; /* small: most real accumulators */
    default:
        return (int32_t)next_random();
    }
}

int main(void) {
    long mismatches = 0, checked = 0;
    for (int round = 0; round < 20000; round++) {
        int32_t acc[4], mult[4], shift[4], left[4], right_neg[4], expect[4];
        for (int lane = 0; lane < 4; lane++) {
            acc[lane] = random_acc();
            /* Q31 multipliers in [2^30, 2^31), and the extremes of that range */
            uint32_t m = next_random();
            mult[lane] = (m & 7u) == 0 ? INT32_MAX : (int32_t)((m >> 1) | 0x40000000u);
            shift[lane] = (int32_t)(next_random() % 62u) - 31; /* [-31, 30] */
            left[lane] = shift[lane] > 0 ? shift[lane] : 0;
            right_neg[lane] = shift[lane] > 0 ? 0 : shift[lane];
            expect[lane] = adrt_mul_by_quantized_multiplier(acc[lane], mult[lane], shift[lane]);
        }
        int32_t got[4], got_n[4];
        vst1q_s32(got, adrt_mve_requant(vld1q_s32(acc), vld1q_s32(mult), vld1q_s32(left),
                                        vld1q_s32(right_neg)));
        vst1q_s32(got_n, adrt_mve_requant_n(vld1q_s32(acc), mult[0], shift[0]));
        for (int lane = 0; lane < 4; lane++) {
            int32_t expect_n = adrt_mul_by_quantized_multiplier(acc[lane], mult[0], shift[0]);
            mismatches += (got[lane] != expect[lane]) + (got_n[lane] != expect_n);
            checked += 2;
        }
    }
    return report_lanes("mve_requant", mismatches, checked);
}
