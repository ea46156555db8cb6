/* Shared by the test firmwares that compare vector lanes with a scalar reference: a seeded
 * pseudo-random source and the one result line the tests read. */
#ifndef TESTS_FIRMWARE_LANE_CHECK_H
#define TESTS_FIRMWARE_LANE_CHECK_H

#include <stdint.h>

#include "bsp/bsp.h"

static inline uint32_t xorshift32(uint32_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

/* Appends the decimal digits of n at *out (newlib-nano's printf would need a heap). */
static inline void put_number(char **out, long n) {
    char digits[24];
    int len = 0;
    do {
        digits[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while (len > 0) {
        *(*out)++ = digits[--len];
    }
}

static inline void put_text(char **out, const char *text) {
    while (*text != '\0') {
        *(*out)++ = *text++;
    }
}

/* Prints "<name>: <mismatches> of <checked> lanes differ" and returns the exit status: 0 only
 * when no lane differs. */
static inline int report_lanes(const char *name, long mismatches, long checked) {
    char line[96], *out = line;
    put_text(&out, name);
    put_text(&out, ": ");
    put_number(&out, mismatches);
    put_text(&out, " of ");
    put_number(&out, checked);
    put_text(&out, " lanes differ\n");
    *out = '\0';
    bsp_debug_write(line);
    return mismatches != 0;
}

#endif
