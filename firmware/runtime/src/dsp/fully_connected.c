#include "adrt/dsp/fully_connected.h"

#include "dsp_gemm.h"

/* The activation clamp is always applied (outputs are few beside the MACs): two copies of the
 * matrix product, not four. */
void adrt_dsp_fully_connected_s8(const adrt_dsp_fully_connected_params_t *p, const int8_t *input,
                                 int8_t *output, void *scratch) {
    const adrt_dsp_gemm_t g = {
        .out_c = p->out_c,
        .groups = (p->depth + 3) >> 2,
        .weights = p->weights,
        .kernel_sum = p->kernel_sum,
        .requant = p->requant,
        .range = {p->act_min, p->act_max},
    };
    if (p->high_word) {
        adrt_dsp_gemm_rows(&g, input, p->batches, p->depth, output, scratch,
                           ADRT_DSP_SINGLE_ROUNDING_HIGH, 1);
    } else {
        adrt_dsp_gemm_rows(&g, input, p->batches, p->depth, output, scratch,
                           ADRT_DSP_SINGLE_ROUNDING, 1);
    }
}
