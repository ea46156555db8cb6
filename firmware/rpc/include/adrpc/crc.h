/* Checksums of the RPC link: eRPC's frame CRC16 and the CRC-32 the host compares data with. */
#ifndef ADRPC_CRC_H
#define ADRPC_CRC_H

#include <stdint.h>

/* eRPC frame CRC: poly 0x1021, init 0xEF4A, MSB first, no reflection, no final xor. */
uint16_t adrpc_crc16(const uint8_t *data, uint32_t len);

/* CRC-32 (IEEE 802.3, reflected, as Python's zlib.crc32). */
uint32_t adrpc_crc32(const void *data, uint32_t len);

#endif /* ADRPC_CRC_H */
