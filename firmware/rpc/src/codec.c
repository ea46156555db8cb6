#include "adrpc/codec.h"

#include <string.h>

void adrpc_writer_init(adrpc_writer_t *w, uint8_t *buf, uint32_t cap) {
    w->buf = buf;
    w->cap = cap;
    w->pos = 0;
    w->overflow = 0;
}

static void put_bytes(adrpc_writer_t *w, const void *data, uint32_t len) {
    if (w->overflow || len > w->cap - w->pos) {
        w->overflow = 1;
        return;
    }
    if (len > 0) {
        memcpy(w->buf + w->pos, data, len);
    }
    w->pos += len;
}

static void put_le(adrpc_writer_t *w, uint64_t v, uint32_t size) {
    uint8_t bytes[8];
    for (uint32_t i = 0; i < size; i++) {
        bytes[i] = (uint8_t)(v >> (8 * i));
    }
    put_bytes(w, bytes, size);
}

void adrpc_put_header(adrpc_writer_t *w, const adrpc_msg_t *msg) {
    uint32_t header = (ADRPC_CODEC_VERSION << 24) | ((uint32_t)msg->service << 16) |
                      ((uint32_t)msg->method << 8) | ((uint32_t)msg->type & 0xFFu);
    adrpc_put_u32(w, header);
    adrpc_put_u32(w, msg->sequence);
}

void adrpc_put_u8(adrpc_writer_t *w, uint8_t v) {
    put_le(w, v, 1);
}

void adrpc_put_bool(adrpc_writer_t *w, int v) {
    put_le(w, v ? 1u : 0u, 1);
}

void adrpc_put_u32(adrpc_writer_t *w, uint32_t v) {
    put_le(w, v, 4);
}

void adrpc_put_i32(adrpc_writer_t *w, int32_t v) {
    put_le(w, (uint32_t)v, 4);
}

void adrpc_put_u64(adrpc_writer_t *w, uint64_t v) {
    put_le(w, v, 8);
}

void adrpc_put_float(adrpc_writer_t *w, float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le(w, bits, 4);
}

void adrpc_put_binary(adrpc_writer_t *w, const void *data, uint32_t len) {
    adrpc_put_u32(w, len);
    put_bytes(w, data, len);
}

void adrpc_put_string(adrpc_writer_t *w, const char *text) {
    const char *s = text ? text : "";
    adrpc_put_binary(w, s, (uint32_t)strlen(s));
}

void adrpc_put_list(adrpc_writer_t *w, uint32_t count) {
    adrpc_put_u32(w, count);
}

uint32_t adrpc_string_size(const char *text) {
    return 4u + (text ? (uint32_t)strlen(text) : 0u);
}

void adrpc_reader_init(adrpc_reader_t *r, const uint8_t *buf, uint32_t len) {
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->error = 0;
}

static uint64_t get_le(adrpc_reader_t *r, uint32_t size) {
    if (r->error || size > r->len - r->pos) {
        r->error = 1;
        return 0;
    }
    uint64_t v = 0;
    for (uint32_t i = 0; i < size; i++) {
        v |= (uint64_t)r->buf[r->pos + i] << (8 * i);
    }
    r->pos += size;
    return v;
}

void adrpc_get_header(adrpc_reader_t *r, adrpc_msg_t *msg) {
    uint32_t header = adrpc_get_u32(r);
    msg->sequence = adrpc_get_u32(r);
    msg->type = (adrpc_msg_type_t)(header & 0xFFu);
    msg->method = (uint8_t)(header >> 8);
    msg->service = (uint8_t)(header >> 16);
    if ((header >> 24) != ADRPC_CODEC_VERSION) {
        r->error = 1;
    }
}

uint8_t adrpc_get_u8(adrpc_reader_t *r) {
    return (uint8_t)get_le(r, 1);
}

int adrpc_get_bool(adrpc_reader_t *r) {
    return get_le(r, 1) != 0;
}

uint32_t adrpc_get_u32(adrpc_reader_t *r) {
    return (uint32_t)get_le(r, 4);
}

int32_t adrpc_get_i32(adrpc_reader_t *r) {
    return (int32_t)(uint32_t)get_le(r, 4);
}

uint64_t adrpc_get_u64(adrpc_reader_t *r) {
    return get_le(r, 8);
}

float adrpc_get_float(adrpc_reader_t *r) {
    uint32_t bits = (uint32_t)get_le(r, 4);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

void adrpc_get_binary(adrpc_reader_t *r, const uint8_t **data, uint32_t *len) {
    uint32_t n = adrpc_get_u32(r);
    if (r->error || n > r->len - r->pos) {
        r->error = 1;
        *data = NULL;
        *len = 0;
        return;
    }
    *data = r->buf + r->pos;
    *len = n;
    r->pos += n;
}

uint32_t adrpc_get_list(adrpc_reader_t *r) {
    return adrpc_get_u32(r);
}
