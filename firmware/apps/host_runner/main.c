/* Host-native runner for generated models: the same generated C and kernels as the firmware,
 * built with the host compiler so tests check bit-exactness without an emulator.
 *
 * Link with a table `adrt_host_models` of generated model descriptors.
 * Usage: runner INDEX INPUTS OUTPUTS
 * INPUTS holds N input sets (each: every input tensor's bytes in order); OUTPUTS receives N
 * output sets the same way. Exit code 0 on success. */
#include <stdio.h>
#include <stdlib.h>

#include "adrt/model_api.h"

extern const adrt_model_t *const adrt_host_models[];
extern const unsigned adrt_host_model_count;

/* 0: a full set was read, 1: clean end of file, -1: a truncated set. A model whose inputs
 * are all empty reads one (empty) set. */
static int read_inputs(const adrt_model_t *m, FILE *in, long sets_done) {
    size_t wanted = 0, got = 0;
    for (uint32_t i = 0; i < m->num_inputs; i++) {
        wanted += m->inputs[i].bytes;
        got += fread(m->input(i), 1, m->inputs[i].bytes, in);
    }
    if (wanted == 0) {
        return sets_done == 0 ? 0 : 1;
    }
    if (got == 0) {
        return 1;
    }
    return got == wanted ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s INDEX INPUTS OUTPUTS\n", argv[0]);
        return 2;
    }
    unsigned index = (unsigned)strtoul(argv[1], NULL, 10);
    if (index >= adrt_host_model_count) {
        fprintf(stderr, "no model %u (have %u)\n", index, adrt_host_model_count);
        return 2;
    }
    const adrt_model_t *m = adrt_host_models[index];
    FILE *in = fopen(argv[2], "rb");
    FILE *out = fopen(argv[3], "wb");
    if (!in || !out) {
        perror("open");
        return 2;
    }
    m->init();
    long sets = 0;
    for (;; sets++) {
        int status = read_inputs(m, in, sets);
        if (status > 0) {
            break;
        }
        if (status < 0) {
            fprintf(stderr, "input set %ld is incomplete\n", sets);
            return 3;
        }
        m->invoke();
        for (uint32_t o = 0; o < m->num_outputs; o++) {
            if (fwrite(m->output(o), 1, m->outputs[o].bytes, out) != m->outputs[o].bytes) {
                return 4;
            }
        }
    }
    fclose(in);
    return (fclose(out) == 0 && sets > 0) ? 0 : 4;
}
