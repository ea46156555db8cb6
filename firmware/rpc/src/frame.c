#include "adrpc/frame.h"

#include "adrpc/crc.h"
#include "bsp/bsp.h"

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

static uint64_t stall_ticks(void) {
    uint64_t ticks = (uint64_t)bsp_counter_hz() * ADRPC_STALL_MS / 1000u;
    return ticks ? ticks : 1u;
}

/* Reads `len` bytes, each within `timeout` ticks of the previous one; 0 if the line stalls. */
static int read_bytes(uint8_t *out, uint32_t len, uint64_t timeout) {
    for (uint32_t i = 0; i < len; i++) {
        if (!bsp_console_read(&out[i], timeout)) {
            return 0;
        }
    }
    return 1;
}

/* Reads and drops bytes until none arrives for `timeout` ticks, then reports why. */
static void discard(const char *why, uint64_t timeout) {
    uint8_t byte;
    while (bsp_console_read(&byte, timeout)) {
    }
    bsp_debug_write("adrpc: discarded a frame: ");
    bsp_debug_write(why);
    bsp_debug_write("\n");
}

uint32_t adrpc_frame_read(uint8_t *body, uint32_t cap) {
    uint64_t timeout = stall_ticks();
    for (;;) {
        uint8_t h[ADRPC_FRAME_HEADER];
        /* A stalled frame has left the line idle already: the drain ends at once. */
        if (!bsp_console_read(&h[0], 0) || !read_bytes(&h[1], ADRPC_FRAME_HEADER - 1, timeout)) {
            discard("stalled in the header", timeout);
            continue;
        }
        uint16_t crc_header = (uint16_t)(h[0] | (h[1] << 8));
        uint16_t len = (uint16_t)(h[2] | (h[3] << 8));
        uint16_t crc_body = (uint16_t)(h[4] | (h[5] << 8));
        if (header_crc(len, crc_body) != crc_header) {
            discard("bad header CRC", timeout);
        } else if (len > cap) {
            discard("too long", timeout);
        } else if (!read_bytes(body, len, timeout)) {
            discard("stalled in the body", timeout);
        } else if (adrpc_crc16(body, len) != crc_body) {
            discard("bad body CRC", timeout);
        } else {
            return len;
        }
    }
}

void adrpc_frame_write(const uint8_t *body, uint32_t len) {
    uint8_t h[ADRPC_FRAME_HEADER];
    frame_header(h, (uint16_t)len, adrpc_crc16(body, len));
    bsp_console_write(h, ADRPC_FRAME_HEADER);
    bsp_console_write(body, len);
}
