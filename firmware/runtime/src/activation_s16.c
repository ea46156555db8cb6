#include "adrt/activation_s16.h"

/* TFLite's sigmoid_table_uint16: sigmoid(i / 24) in Q0.16 as TFLite tabulates it (its entries are
 * not all the rounded function values, so they are data here, not computed). */
static const uint16_t sigmoid_table[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794,
    41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443,
    48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374,
    54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544,
    58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279,
    61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990,
    63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030,
    64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652,
    64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019,
    65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360,
    65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476,
    65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501,
    65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
    65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529,
    65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532,
    65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

static inline int32_t rescale(const adrt_sigmoid_s16_params_t *p, int16_t x) {
    const int32_t round = p->input_shift > 0 ? 1 << (p->input_shift - 1) : 0;
    return (x * p->input_multiplier + round) >> p->input_shift;
}

void adrt_logistic_s16(const adrt_sigmoid_s16_params_t *params, const int16_t *input,
                       int16_t *output) {
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t x = rescale(params, input[i]);
        const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
        const uint32_t k = ax >> 9; /* 9 fraction bits: 7 of the input format, 2 of the 3/4 */
        uint32_t r = 0x7FFFu << 10; /* saturated */
        if (k < 255) {
            const uint32_t a = sigmoid_table[k], b = sigmoid_table[k + 1];
            r = (a << 9) + (ax & 0x1FFu) * (b - a);
        }
        r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
        output[i] = (int16_t)(r >> 10);
    }
}

void adrt_tanh_s16(const adrt_sigmoid_s16_params_t *params, const int16_t *input, int16_t *output) {
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t x = rescale(params, input[i]);
        const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
        const uint32_t k = ax >> 8; /* tanh(x) = 2 sigmoid(2x) - 1: one fraction bit fewer */
        int32_t r = 0xFFFF << 8;    /* saturated */
        if (k < 255) {
            const uint32_t a = sigmoid_table[k], b = sigmoid_table[k + 1];
            r = (int32_t)((a << 8) + (ax & 0xFFu) * (b - a));
        }
        r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
        output[i] = (int16_t)(r >> 8);
    }
}

void adrt_leaky_relu_s16(const adrt_leaky_relu_s16_params_t *params, const int16_t *input,
                         int16_t *output) {
    const adrt_leaky_relu_s16_params_t *p = params;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t x = input[i];
        int32_t r;
        if (x >= 0) {
            r = adrt_mul_by_quantized_multiplier(x, p->identity_multiplier, p->identity_shift);
        } else {
            r = adrt_mul_by_quantized_multiplier(x, p->alpha_multiplier, p->alpha_shift);
            r = p->alpha_negative ? -r : r;
        }
        output[i] = (int16_t)ADRT_CLAMP(r, INT16_MIN, INT16_MAX);
    }
}

/* TFLite's int16 table lookup: 9 index bits, 7 bits interpolated between two entries. */
static inline int16_t lookup(int32_t value, const int16_t *table) {
    const int32_t index = 256 + (value >> 7);
    const int32_t offset = value & 0x7F;
    const int16_t slope = (int16_t)(table[index + 1] - table[index]);
    return (int16_t)(table[index] + ((slope * offset + 64) >> 7));
}

static inline int32_t leading_zeros(uint32_t v) {
    int32_t n = 0;
    while (n < 32 && (v & 0x80000000u) == 0u) {
        v <<= 1;
        ++n;
    }
    return n;
}

void adrt_softmax_s16(const adrt_softmax_s16_params_t *params, const int16_t *input,
                      int16_t *output) {
    const adrt_softmax_s16_params_t *p = params;
    const int32_t depth = p->depth;
    for (int32_t r = 0; r < p->rows; ++r) {
        const int16_t *x = input + (size_t)r * depth;
        int16_t *out = output + (size_t)r * depth;
        int32_t max_val = INT16_MIN;
        for (int32_t j = 0; j < depth; ++j) {
            max_val = x[j] > max_val ? x[j] : max_val;
        }
        int32_t sum = 0; /* Q16.15 */
        for (int32_t j = 0; j < depth; ++j) {
            const int32_t scaled = adrt_mul_by_quantized_multiplier(
                                       x[j] - max_val, p->input_multiplier, p->input_shift) +
                                   32767;
            out[j] = lookup(ADRT_CLAMP(scaled, INT16_MIN, INT16_MAX), p->exp_table);
            sum += out[j];
        }
        /* 1 / sum from the table of 1 / (1 + x): sum normalized to [1, 2), x = that - 1. */
        const int32_t headroom_plus_one = leading_zeros((uint32_t)sum);
        const int32_t normalized =
            (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        const int32_t x_sym = normalized - ((1 << 15) + (1 << 16));
        const int32_t reciprocal = lookup(ADRT_CLAMP(x_sym, INT16_MIN, INT16_MAX), p->recip_table);
        const int32_t right_shift = 31 - headroom_plus_one;
        const int64_t round = (int64_t)1 << (right_shift - 1);
        for (int32_t j = 0; j < depth; ++j) {
            const int32_t v = (int32_t)(((int64_t)out[j] * reciprocal + round) >> right_shift);
            out[j] = (int16_t)ADRT_CLAMP(v, 0, INT16_MAX);
        }
    }
}
