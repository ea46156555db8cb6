/* Example: run the packaged model once and check its outputs.
 *
 * example_data.c (generated with the package) names the model and holds one set of inputs and
 * the output bytes the host reference computed for them. The example writes the inputs, runs
 * the model once and compares every output byte, then prints through bsp_debug_write
 *   example: <model> PASS (<n> output bytes match, <ticks> ticks)
 * or, at the first differing byte,
 *   example: <model> FAIL output <i> byte <k>: got <v> expected <w>
 * and exits 0 on PASS, 1 on FAIL. */
#include <string.h>

#include "adrt/model_api.h"
#include "bsp/bsp.h"
#include "example_data.h"

/* Writes `value` in decimal (no printf: newlib's would pull in malloc, which the board support
 * does not provide). */
static void write_u64(uint64_t value) {
    char digits[21];
    int n = 20;
    digits[n] = '\0';
    do {
        digits[--n] = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0u);
    bsp_debug_write(&digits[n]);
}

int main(void) {
    const adrt_model_t *m = example_model;
    uint32_t i, k, bytes = 0u;
    uint64_t start, ticks;

    bsp_init();
    m->init();
    for (i = 0; i < m->num_inputs; i++) {
        memcpy(m->input(i), example_inputs[i], m->inputs[i].bytes);
    }
    start = bsp_counter();
    m->invoke();
    ticks = bsp_counter() - start;
    bsp_debug_write("example: ");
    bsp_debug_write(m->name);
    for (i = 0; i < m->num_outputs; i++) {
        const uint8_t *got = (const uint8_t *)m->output(i);
        for (k = 0; k < m->outputs[i].bytes; k++) {
            if (got[k] != example_expected[i][k]) {
                bsp_debug_write(" FAIL output ");
                write_u64(i);
                bsp_debug_write(" byte ");
                write_u64(k);
                bsp_debug_write(": got ");
                write_u64(got[k]);
                bsp_debug_write(" expected ");
                write_u64(example_expected[i][k]);
                bsp_debug_write("\n");
                bsp_exit(1);
            }
        }
        bytes += m->outputs[i].bytes;
    }
    bsp_debug_write(" PASS (");
    write_u64(bytes);
    bsp_debug_write(" output bytes match, ");
    write_u64(ticks);
    bsp_debug_write(" ticks)\n");
    bsp_exit(0);
}
