/* Power firmware: runs the model N times per CPU mode inside a window the host measures.
 *
 * The host drives it with text lines on the console (one request per CPU mode):
 *   RUN <mode> <runs> <seed> <handshake> <trigger pin> <in0 pin> <in1 pin>
 *     -> DONE <mode> <runs> <counter ticks of the window> <counter hz>
 *   END -> exit 0
 * With handshake 1 (a Joulescope on the GPIO pins) the window is marked as the reference tool
 * does: wait for the trigger pin to rise, ack with in1:in0 = 3, wait for the trigger to fall,
 * drop both to 0 while running, then in1:in0 = 2 when done. With handshake 0 (the emulator,
 * where no host drives the RAM-backed GPIO) the window starts at once.
 *
 * Inputs come from the seeded generator (run 0), staged once and copied in before every
 * inference, since the arena may reuse input memory. */
#include <stdint.h>
#include <string.h>

#include "adrpc/seeded.h"
#include "bsp/bsp.h"

extern const adrt_model_t *const adrt_app_model;
extern uint8_t adrt_app_staging[];
extern const uint32_t adrt_app_staging_bytes;

#define LINE_MAX 96
#define MAX_FIELDS 8

/* Switches the CPU clock mode ("LP", "HP"). A real board's support code overrides this weak
 * default; the emulator has one clock, and the host turns counts into time per mode. */
__attribute__((weak)) void power_cpu_mode_set(const char *mode) {
    (void)mode;
}

static void put(const char *text) {
    bsp_console_write(text, strlen(text));
}

static void put_u64(uint64_t value) {
    char digits[21];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0u);
    char out[21];
    for (int i = 0; i < n; i++) {
        out[i] = digits[n - 1 - i];
    }
    bsp_console_write(out, (size_t)n);
}

static uint32_t read_line(char *line) {
    uint32_t len = 0;
    for (;;) {
        uint8_t byte;
        bsp_console_read(&byte, 0);
        if (byte == '\n') {
            line[len] = '\0';
            return len;
        }
        if (byte != '\r' && len + 1u < LINE_MAX) {
            line[len++] = (char)byte;
        }
    }
}

/* Splits `line` at spaces in place; returns the number of fields. */
static int split(char *line, char **fields) {
    int n = 0;
    char *p = line;
    while (*p != '\0' && n < MAX_FIELDS) {
        while (*p == ' ') {
            *p++ = '\0';
        }
        if (*p == '\0') {
            break;
        }
        fields[n++] = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
    }
    return n;
}

static uint32_t number(const char *text) {
    uint32_t value = 0;
    for (; *text >= '0' && *text <= '9'; text++) {
        value = value * 10u + (uint32_t)(*text - '0');
    }
    return value;
}

static void stage_inputs(uint32_t seed) {
    const adrt_model_t *m = adrt_app_model;
    uint32_t offset = 0;
    for (uint32_t i = 0; i < m->num_inputs; i++) {
        adrpc_seeded_fill(adrt_app_staging + offset, m->inputs[i].bytes, m->inputs[i].dtype, seed,
                          0, i);
        offset += m->inputs[i].bytes;
    }
}

static void run_inferences(uint32_t runs) {
    const adrt_model_t *m = adrt_app_model;
    for (uint32_t r = 0; r < runs; r++) {
        uint32_t offset = 0;
        for (uint32_t i = 0; i < m->num_inputs; i++) {
            memcpy(m->input(i), adrt_app_staging + offset, m->inputs[i].bytes);
            offset += m->inputs[i].bytes;
        }
        m->invoke();
    }
}

static void signal_state(uint32_t in0, uint32_t in1, int state) {
    bsp_gpio_write(in0, state & 1);
    bsp_gpio_write(in1, (state >> 1) & 1);
}

/* Not inlined: the emulator's cycle estimate finds this function by its symbol and counts the
 * window between its two counter reads (autodeploy.board.qemu_plugin, hook=). */
__attribute__((noinline)) static void measure(char **f) {
    const char *mode = f[1];
    uint32_t runs = number(f[2]);
    int handshake = number(f[4]) != 0u;
    uint32_t trigger = number(f[5]), in0 = number(f[6]), in1 = number(f[7]);
    power_cpu_mode_set(mode);
    stage_inputs(number(f[3]));
    if (handshake) {
        signal_state(in0, in1, 0);
        while (!bsp_gpio_read(trigger)) {
        }
        signal_state(in0, in1, 3);
        while (bsp_gpio_read(trigger)) {
        }
        signal_state(in0, in1, 0);
    }
    uint64_t start = bsp_counter();
    run_inferences(runs);
    uint64_t ticks = bsp_counter() - start;
    if (handshake) {
        signal_state(in0, in1, 2);
    }
    put("DONE ");
    put(mode);
    put(" ");
    put_u64(runs);
    put(" ");
    put_u64(ticks);
    put(" ");
    put_u64(bsp_counter_hz());
    put("\n");
}

int main(void) {
    bsp_init();
    uint32_t needed = 0;
    for (uint32_t i = 0; i < adrt_app_model->num_inputs; i++) {
        needed += adrt_app_model->inputs[i].bytes;
    }
    if (needed > adrt_app_staging_bytes) {
        bsp_debug_write("power: the input staging buffer is too small\n");
        bsp_exit(2);
    }
    adrt_app_model->init();
    put("READY ");
    put(adrt_app_model->name);
    put("\n");
    char line[LINE_MAX];
    char *fields[MAX_FIELDS];
    for (;;) {
        read_line(line);
        int n = split(line, fields);
        if (n == 8 && strcmp(fields[0], "RUN") == 0) {
            measure(fields);
        } else if (n == 1 && strcmp(fields[0], "END") == 0) {
            bsp_exit(0);
        } else {
            put("ERROR expected RUN <mode> <runs> <seed> <handshake> <trigger> <in0> <in1> or "
                "END\n");
        }
    }
}
