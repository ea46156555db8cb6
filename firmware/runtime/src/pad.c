#include "adrt/pad.h"

#include <string.h>

#include "adrt/copy.h"

typedef struct {
    const adrt_pad_params_t *params;
    int32_t out_block[ADRT_PAD_DIMS]; /* output elements per index step of each dimension */
    int32_t in_block[ADRT_PAD_DIMS];  /* input elements per index step of each dimension */
} pad_ctx_t;

/* Pads dimension `level` (and, recursively, the inner ones); returns the next output position. */
static uint8_t *pad_level(const pad_ctx_t *ctx, int level, const uint8_t *in, uint8_t *out) {
    const adrt_pad_params_t *p = ctx->params;
    const int32_t es = p->elem_size;
    const int32_t n = p->in_dims[level];
    int32_t before = p->pad_before[level] * ctx->out_block[level];
    int32_t after = p->pad_after[level] * ctx->out_block[level];
    int32_t i;

    adrt_fill_elements(out, before, p->pad_value, es);
    out += (size_t)before * (size_t)es;
    if (level == ADRT_PAD_DIMS - 1) {
        memcpy(out, in, (size_t)n * (size_t)es);
        out += (size_t)n * (size_t)es;
    } else {
        const size_t in_step = (size_t)ctx->in_block[level] * (size_t)es;
        for (i = 0; i < n; ++i) {
            out = pad_level(ctx, level + 1, in, out);
            in += in_step;
        }
    }
    adrt_fill_elements(out, after, p->pad_value, es);
    return out + (size_t)after * (size_t)es;
}

void adrt_pad(const adrt_pad_params_t *params, const void *input, void *output) {
    pad_ctx_t ctx;
    int level;
    ctx.params = params;
    ctx.out_block[ADRT_PAD_DIMS - 1] = 1;
    ctx.in_block[ADRT_PAD_DIMS - 1] = 1;
    for (level = ADRT_PAD_DIMS - 2; level >= 0; --level) {
        const int32_t inner = level + 1;
        ctx.in_block[level] = ctx.in_block[inner] * params->in_dims[inner];
        ctx.out_block[level] =
            ctx.out_block[inner] *
            (params->pad_before[inner] + params->in_dims[inner] + params->pad_after[inner]);
    }
    (void)pad_level(&ctx, 0, (const uint8_t *)input, (uint8_t *)output);
}
