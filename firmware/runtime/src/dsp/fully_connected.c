#include "adrt/dsp/fully_connected.h"

#include "dsp_gemm.h"

void adrt_dsp_fully_connected_s8(const adrt_dsp_fully_connected_params_t *p, const int8_t *input,
                                 int8_t *output, void *scratch) {
    const adrt_dsp_gemm_t g = {
        .out_c = p->out_c,
        .groups = (p->depth + 3) >> 2,
        .weights = p->weights,
        .kernel_sum = p->kernel_sum,
        .requant = p->requant,
        .output_offset = p->output_offset,
        .range = {p->act_min, p->act_max},
    };
    if (p->act_min > -128 || p->act_max < 127) {
        adrt_dsp_gemm_rows(&g, input, p->batches, p->depth, output, scratch, 1, 1);
    } else {
        adrt_dsp_gemm_rows(&g, input, p->batches, p->depth, output, scratch, 1, 0);
    }
}
