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

/* A frame whose bytes stop arriving for this long (counter time) is given up. */
#define ADRPC_STALL_MS 20u

/* Blocks until a whole frame with valid CRCs and length <= ADRPC_MAX_BODY arrives; points
 * `body` at it (valid until the next call) and returns its length. After a damaged or stalled
 * frame the reader looks for the next one at every following byte it has received, so the
 * frame after a damaged one is found however soon it comes; what it skipped is reported on
 * the debug channel. */
uint32_t adrpc_frame_read(const uint8_t **body);

void adrpc_frame_write(const uint8_t *body, uint32_t len);

#endif /* ADRPC_FRAME_H */
