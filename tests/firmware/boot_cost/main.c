/* Test app: times the start-up's copy loop (board_boot_copy) on copy tables of known shape and
 * checks the copies, printing one line per table (numbers as 0x and 8 hex digits):
 *   boot_cost: <name> records=<n> bytes=<n> ticks=<counter ticks> ok=<1|0>
 * and then `boot_cost: counter_hz=<hz>`. Under `-icount shift=0` ticks count instructions
 * (counter_hz ticks per 1e9 instructions), so the test can hold them against the count the
 * build reports (autodeploy/memory/boot.py). */
#include <stdint.h>
#include <string.h>

#include "board_common.h"

#include "bsp/bsp.h"

#define BLOCK_BYTES 32768u
#define RECORDS 256u

static uint32_t s_source[BLOCK_BYTES / 4];
static uint32_t s_target[BLOCK_BYTES / 4];
static board_copy_t s_table[RECORDS];

/* Writes `name=` and `value` in hex (the board's own formatting: no printf, hence no malloc). */
static void write_field(const char *name, uint32_t value) {
    char hex[11];
    board_hex32(hex, value);
    bsp_debug_write(name);
    bsp_debug_write(hex);
}

/* Copies with `records` records that split `bytes` evenly (all empty when bytes is 0). */
static void timed(const char *name, uint32_t records, uint32_t bytes) {
    uint32_t each = records ? bytes / records : 0u;
    for (uint32_t k = 0; k < records; k++) {
        s_table[k].load = &s_source[k * each / 4];
        s_table[k].run = &s_target[k * each / 4];
        s_table[k].bytes = each;
    }
    memset(s_target, 0, sizeof s_target);
    uint64_t start = bsp_counter();
    board_boot_copy(s_table, s_table + records);
    uint64_t ticks = bsp_counter() - start;
    bsp_debug_write("boot_cost: ");
    bsp_debug_write(name);
    write_field(" records=", records);
    write_field(" bytes=", bytes);
    write_field(" ticks=", (uint32_t)ticks);
    write_field(" ok=", memcmp(s_source, s_target, bytes) == 0);
    bsp_debug_write("\n");
}

int main(void) {
    bsp_init();
    for (uint32_t i = 0; i < BLOCK_BYTES / 4; i++) {
        s_source[i] = i * 2654435761u;
    }
    timed("empty", 0u, 0u);
    timed("one", 1u, BLOCK_BYTES);
    timed("many", 64u, BLOCK_BYTES);
    timed("zero", RECORDS, 0u);
    bsp_debug_write("boot_cost:");
    write_field(" counter_hz=", bsp_counter_hz());
    bsp_debug_write("\n");
    return 0;
}
