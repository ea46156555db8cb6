/* eRPC framing on the board console: a 6-byte little-endian header (crcHeader, length,
 * crcBody) then `length` body bytes. crcBody = CRC16(body); crcHeader = (CRC16(le16 length) +
 * CRC16(le16 crcBody)) & 0xFFFF, as pip erpc's FramedTransport computes it. */
#ifndef ADRPC_FRAME_H
#define ADRPC_FRAME_H

#include <stdint.h>

/* Largest frame body either side sends; the host must agree (client.py MAX_BODY). */
#ifndef ADRPC_MAX_BODY
#define ADRPC_MAX_BODY 4096u
#endif

#define ADRPC_FRAME_HEADER 6u

/* A frame whose bytes stop arriving for this long (counter time) is abandoned. */
#define ADRPC_STALL_MS 20u

/* Blocks until a whole frame with valid CRCs and length <= cap arrives; returns its length.
 * Anything else is discarded, after draining the line until it is idle so that the next read
 * starts at a frame boundary, and reported on the debug channel. */
uint32_t adrpc_frame_read(uint8_t *body, uint32_t cap);

void adrpc_frame_write(const uint8_t *body, uint32_t len);

#endif /* ADRPC_FRAME_H */
