#include "adrt/reshape.h"

#include <string.h>

void adrt_reshape(const adrt_reshape_params_t *params, const void *input, void *output) {
    if (input != output) {
        memmove(output, input, (size_t)params->bytes);
    }
}
