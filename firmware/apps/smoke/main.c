/* Smoke app: "does this board boot and run a model?"
 *
 * Runs the firmware's model (adrt_app_model, from the per-variant app_model.c) once on all-zero
 * input bytes and prints, through bsp_debug_write (semihosting on the emulated boards):
 *   smoke: board=<name> model=<name> out_bytes=<n> crc32=0x<crc> sum=<byte sum> ticks=<delta>
 * then exits 0. The CRC-32 (zlib's) over all output bytes lets a test compare the result with a
 * host-native build of the same generated C; ticks are bsp_counter() ticks of one invoke. */
#include <string.h>

#include "adrt/model_api.h"
#include "bsp/bsp.h"

extern const adrt_model_t *const adrt_app_model;

/* Initialised and writable, so it lives in .data: if the startup's .data copy were wrong, the
 * CRC below would be too. */
uint32_t smoke_crc_polynomial = 0xEDB88320u;

static uint32_t crc32_update(uint32_t crc, const uint8_t *data, uint32_t len) {
    uint32_t i;
    int bit;
    for (i = 0; i < len; i++) {
        crc ^= data[i];
        for (bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (smoke_crc_polynomial & (0u - (crc & 1u)));
        }
    }
    return crc;
}

/* Appends the decimal digits of `value` to `out` (room for 20 digits and a NUL). */
static char *append_u64(char *out, uint64_t value) {
    char digits[21];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0u);
    while (n > 0) {
        *out++ = digits[--n];
    }
    *out = '\0';
    return out;
}

static void print_field(const char *name, uint64_t value) {
    char text[24];
    append_u64(text, value);
    bsp_debug_write(name);
    bsp_debug_write(text);
}

int main(void) {
    const adrt_model_t *m = adrt_app_model;
    uint32_t i, crc = 0xFFFFFFFFu, sum = 0u, bytes = 0u;
    uint64_t start, ticks;
    char hex[9];

    bsp_init();
    m->init();
    for (i = 0; i < m->num_inputs; i++) {
        memset(m->input(i), 0, m->inputs[i].bytes);
    }
    start = bsp_counter();
    m->invoke();
    ticks = bsp_counter() - start;
    for (i = 0; i < m->num_outputs; i++) {
        const uint8_t *out = (const uint8_t *)m->output(i);
        uint32_t k;
        crc = crc32_update(crc, out, m->outputs[i].bytes);
        for (k = 0; k < m->outputs[i].bytes; k++) {
            sum += out[k];
        }
        bytes += m->outputs[i].bytes;
    }
    crc = ~crc;
    for (i = 0; i < 8; i++) {
        hex[i] = "0123456789abcdef"[(crc >> (28 - 4 * i)) & 0xFu];
    }
    hex[8] = '\0';

    bsp_debug_write("smoke: board=");
    bsp_debug_write(bsp_board_name());
    bsp_debug_write(" model=");
    bsp_debug_write(m->name);
    print_field(" out_bytes=", bytes);
    bsp_debug_write(" crc32=0x");
    bsp_debug_write(hex);
    print_field(" sum=", sum);
    print_field(" ticks=", ticks);
    bsp_debug_write("\n");
    return 0;
}
