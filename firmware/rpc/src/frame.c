#include "adrpc/frame.h"

#include <string.h>

#include "adrpc/crc.h"
#include "bsp/bsp.h"

/* Bytes received and not yet consumed; the next frame is looked for at s_rx[s_start]. Keeping
 * them (rather than draining the line after a bad frame) means a frame that follows a damaged
 * one is never lost, however soon it comes: the host's retry needs no quiet line first. */
static uint8_t s_rx[ADRPC_FRAME_HEADER + ADRPC_MAX_BODY];
static uint32_t s_start, s_end;

static uint16_t header_crc(uint16_t len, uint16_t crc_body) {
    uint8_t l[2] = {(uint8_t)len, (uint8_t)(len >> 8)};
    uint8_t c[2] = {(uint8_t)crc_body, (uint8_t)(crc_body >> 8)};
    return (uint16_t)(adrpc_crc16(l, 2) + adrpc_crc16(c, 2));
}

/* The 6 header bytes for a body of `len` bytes with CRC `crc_body`. */
static void frame_header(uint8_t out[ADRPC_FRAME_HEADER], uint16_t len, uint16_t crc_body) {
    uint16_t crc_header = header_crc(len, crc_body);
    uint16_t fields[3] = {crc_header, len, crc_body};
    for (int i = 0; i < 3; i++) {
        out[2 * i] = (uint8_t)fields[i];
        out[2 * i + 1] = (uint8_t)(fields[i] >> 8);
    }
}

static uint16_t le16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint64_t stall_ticks(void) {
    uint64_t ticks = (uint64_t)bsp_counter_hz() * ADRPC_STALL_MS / 1000u;
    return ticks ? ticks : 1u;
}

/* Makes `count` bytes available from s_start, each within `timeout` ticks of the previous one;
 * 0 if the line stalls. With nothing buffered the first byte waits forever: an idle line is no
 * stall. */
static int fill(uint32_t count, uint64_t timeout) {
    if (s_start + count > sizeof s_rx) {
        memmove(s_rx, &s_rx[s_start], s_end - s_start);
        s_end -= s_start;
        s_start = 0;
    }
    while (s_end - s_start < count) {
        if (!bsp_console_read(&s_rx[s_end], s_end == s_start ? 0 : timeout)) {
            return 0;
        }
        s_end++;
    }
    return 1;
}

/* NULL when a valid frame starts at s_start (its body length in *len), else why not. */
static const char *frame_at_start(uint32_t *len, uint64_t timeout) {
    if (!fill(ADRPC_FRAME_HEADER, timeout)) {
        return "stalled in the header";
    }
    const uint8_t *h = &s_rx[s_start];
    uint16_t crc_body = le16(&h[4]);
    *len = le16(&h[2]);
    if (header_crc((uint16_t)*len, crc_body) != le16(&h[0])) {
        return "bad header CRC";
    }
    if (*len > ADRPC_MAX_BODY) {
        return "too long";
    }
    if (!fill(ADRPC_FRAME_HEADER + *len, timeout)) {
        return "stalled in the body";
    }
    if (adrpc_crc16(&s_rx[s_start + ADRPC_FRAME_HEADER], *len) != crc_body) {
        return "bad body CRC";
    }
    return NULL;
}

uint32_t adrpc_frame_read(const uint8_t **body) {
    uint64_t timeout = stall_ticks();
    const char *skipped = NULL;
    uint32_t len;
    const char *why;
    while ((why = frame_at_start(&len, timeout)) != NULL) {
        skipped = skipped ? skipped : why;
        s_start++; /* the next frame may start at any later byte, even inside this one */
    }
    if (skipped) {
        bsp_debug_write("adrpc: skipped bytes before a frame, the first for: ");
        bsp_debug_write(skipped);
        bsp_debug_write("\n");
    }
    *body = &s_rx[s_start + ADRPC_FRAME_HEADER];
    s_start += ADRPC_FRAME_HEADER + len;
    return len;
}

void adrpc_frame_write(const uint8_t *body, uint32_t len) {
    uint8_t h[ADRPC_FRAME_HEADER];
    frame_header(h, (uint16_t)len, adrpc_crc16(body, len));
    bsp_console_write(h, ADRPC_FRAME_HEADER);
    bsp_console_write(body, len);
}
