/* eRPC BasicCodec over a byte buffer: little-endian scalars, binary/string as u32 length +
 * bytes, list as u32 count. Errors are sticky (a flag checked once after a whole message),
 * so handlers read or write every field without testing each one. */
#ifndef ADRPC_CODEC_H
#define ADRPC_CODEC_H

#include <stdint.h>

#define ADRPC_CODEC_VERSION 1u

typedef enum {
    ADRPC_MSG_INVOCATION = 0,
    ADRPC_MSG_ONEWAY = 1,
    ADRPC_MSG_REPLY = 2,
    ADRPC_MSG_NOTIFICATION = 3,
} adrpc_msg_type_t;

typedef struct {
    adrpc_msg_type_t type;
    uint8_t service;
    uint8_t method;
    uint32_t sequence;
} adrpc_msg_t;

typedef struct {
    uint8_t *buf;
    uint32_t cap;
    uint32_t pos;
    int overflow; /* a write did not fit: the message is unusable */
} adrpc_writer_t;

typedef struct {
    const uint8_t *buf;
    uint32_t len;
    uint32_t pos;
    int error; /* a read ran past the end, or a bad header */
} adrpc_reader_t;

void adrpc_writer_init(adrpc_writer_t *w, uint8_t *buf, uint32_t cap);
void adrpc_put_header(adrpc_writer_t *w, const adrpc_msg_t *msg);
void adrpc_put_u8(adrpc_writer_t *w, uint8_t v);
void adrpc_put_bool(adrpc_writer_t *w, int v);
void adrpc_put_u32(adrpc_writer_t *w, uint32_t v);
void adrpc_put_i32(adrpc_writer_t *w, int32_t v);
void adrpc_put_u64(adrpc_writer_t *w, uint64_t v);
void adrpc_put_float(adrpc_writer_t *w, float v);
void adrpc_put_binary(adrpc_writer_t *w, const void *data, uint32_t len);
void adrpc_put_string(adrpc_writer_t *w, const char *text);
void adrpc_put_list(adrpc_writer_t *w, uint32_t count);
/* Bytes a string field takes, so a writer can check what still fits. */
uint32_t adrpc_string_size(const char *text);

void adrpc_reader_init(adrpc_reader_t *r, const uint8_t *buf, uint32_t len);
/* Reads the u32 codec header and the sequence; a wrong codec version sets the error flag. */
void adrpc_get_header(adrpc_reader_t *r, adrpc_msg_t *msg);
uint8_t adrpc_get_u8(adrpc_reader_t *r);
int adrpc_get_bool(adrpc_reader_t *r);
uint32_t adrpc_get_u32(adrpc_reader_t *r);
int32_t adrpc_get_i32(adrpc_reader_t *r);
uint64_t adrpc_get_u64(adrpc_reader_t *r);
float adrpc_get_float(adrpc_reader_t *r);
/* Points `data` into the buffer (no copy); `len` 0 and NULL on error. */
void adrpc_get_binary(adrpc_reader_t *r, const uint8_t **data, uint32_t *len);
uint32_t adrpc_get_list(adrpc_reader_t *r);

#endif /* ADRPC_CODEC_H */
