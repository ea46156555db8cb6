#include "adrpc/board.h"

#include <string.h>

#include "adrpc/codec.h"
#include "adrpc/crc.h"
#include "adrpc/seeded.h"
#include "bsp/bsp.h"

const char *adrpc_board_init(adrpc_board_t *b, const adrt_model_t *model, uint8_t *staging,
                             uint32_t staging_bytes, const adrpc_upload_t *upload) {
    uint32_t total = 0;
    for (uint32_t i = 0; i < model->num_inputs; i++) {
        total += model->inputs[i].bytes;
    }
    memset(b, 0, sizeof *b);
    b->model = model;
    b->upload = *upload;
    b->upload_verified = upload->bytes == 0;
    b->staging = staging;
    b->staging_bytes = staging_bytes;
    b->counters = adrpc_counters_init();
    return total == staging_bytes ? NULL : "staging buffer size differs from the model's inputs";
}

/* Where input `index` starts in the staging buffer. */
static uint32_t staging_offset(const adrt_model_t *m, uint32_t index) {
    uint32_t offset = 0;
    for (uint32_t i = 0; i < index; i++) {
        offset += m->inputs[i].bytes;
    }
    return offset;
}

/* Every argument was read and nothing follows. */
static int args_ok(const adrpc_reader_t *r) {
    return !r->error && r->pos == r->len;
}

/* A byte range [offset, offset + len) inside a tensor of `bytes`, within one chunk. */
static int range_ok(uint32_t offset, uint32_t len, uint32_t bytes) {
    return len <= ADRPC_MAX_CHUNK && offset <= bytes && len <= bytes - offset;
}

static void inputs_changed(adrpc_board_t *b) {
    b->outputs_valid = 0;
    b->stats_valid = 0;
    b->counts_valid = 0;
}

static int get_info(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    const adrt_model_t *m = b->model;
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    adrpc_put_string(w, bsp_board_name());
    adrpc_put_string(w, m->name);
    adrpc_put_string(w, m->build_id);
    adrpc_put_u32(w, m->arena_bytes);
    adrpc_put_u32(w, m->num_inputs);
    adrpc_put_u32(w, m->num_outputs);
    adrpc_put_u32(w, m->num_layers);
    adrpc_put_u32(w, bsp_counter_hz());
    adrpc_put_u32(w, ADRPC_MAX_CHUNK);
    return ADRPC_OK;
}

static int get_tensor(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    const adrt_model_t *m = b->model;
    int is_output = adrpc_get_bool(r);
    uint32_t index = adrpc_get_u32(r);
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    uint32_t count = is_output ? m->num_outputs : m->num_inputs;
    static const adrt_tensor_info_t none = {"", ADRT_DTYPE_INT8, 0, {0}, 0, 0.0f, 0};
    const adrt_tensor_info_t *t = &none;
    if (index < count) {
        t = is_output ? &m->outputs[index] : &m->inputs[index];
    }
    adrpc_put_i32(w, index < count ? ADRPC_OK : ADRPC_BAD_INDEX);
    adrpc_put_string(w, t->name);
    adrpc_put_u8(w, (uint8_t)t->dtype);
    adrpc_put_list(w, (uint32_t)t->rank);
    for (int32_t d = 0; d < t->rank; d++) {
        adrpc_put_i32(w, t->shape[d]);
    }
    adrpc_put_u32(w, t->bytes);
    adrpc_put_float(w, t->scale);
    adrpc_put_i32(w, t->zero_point);
    return ADRPC_OK;
}

/* The arguments `uint32 offset, binary data` that end set_input and upload; 0 if they (and
 * the arguments before them) do not decode. */
static int get_chunk(adrpc_reader_t *r, uint32_t *offset, const uint8_t **data, uint32_t *len) {
    *offset = adrpc_get_u32(r);
    adrpc_get_binary(r, data, len);
    return args_ok(r);
}

static int set_input(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    const adrt_model_t *m = b->model;
    uint32_t index = adrpc_get_u32(r);
    uint32_t offset, len;
    const uint8_t *data;
    if (!get_chunk(r, &offset, &data, &len)) {
        return ADRPC_BAD_REQUEST;
    }
    int32_t status = ADRPC_OK;
    if (index >= m->num_inputs) {
        status = ADRPC_BAD_INDEX;
    } else if (!range_ok(offset, len, m->inputs[index].bytes)) {
        status = ADRPC_BAD_RANGE;
    } else {
        memcpy(b->staging + staging_offset(m, index) + offset, data, len);
        inputs_changed(b);
    }
    adrpc_put_i32(w, status);
    return ADRPC_OK;
}

static int fill_inputs(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    const adrt_model_t *m = b->model;
    uint32_t seed = adrpc_get_u32(r);
    uint32_t run = adrpc_get_u32(r);
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    adrpc_put_list(w, m->num_inputs);
    uint8_t *p = b->staging;
    for (uint32_t i = 0; i < m->num_inputs; i++) {
        adrpc_seeded_fill(p, m->inputs[i].bytes, m->inputs[i].dtype, seed, run, i);
        adrpc_put_u32(w, adrpc_crc32(p, m->inputs[i].bytes));
        p += m->inputs[i].bytes;
    }
    inputs_changed(b);
    return ADRPC_OK;
}

static void copy_staging(const adrpc_board_t *b) {
    const adrt_model_t *m = b->model;
    const uint8_t *p = b->staging;
    for (uint32_t i = 0; i < m->num_inputs; i++) {
        memcpy(m->input(i), p, m->inputs[i].bytes);
        p += m->inputs[i].bytes;
    }
}

/* Layer ticks run from the end of the before-hook to the start of the after-hook; the CRC is
 * computed after the end time is taken, and the hook's own time is summed to subtract it. */
static void profile_hook(void *user, int32_t layer, int32_t after) {
    adrpc_board_t *b = (adrpc_board_t *)user;
    if (!after) {
        adrpc_counters_read(b->event_start);
        b->layer_start = bsp_counter();
        return;
    }
    uint64_t end = bsp_counter();
    uint32_t now[ADRPC_MAX_EVENTS];
    adrpc_counters_read(now);
    uint32_t *counts = &b->layer_counts[(uint32_t)layer * b->num_events];
    for (uint32_t k = 0; k < b->num_events; k++) {
        counts[k] = adrpc_counters_delta(k, b->event_start[k], now[k]);
    }
    const adrt_buffer_t *out = &b->model->layer_outputs[layer];
    b->layer_ticks[layer] = end - b->layer_start;
    b->layer_crc[layer] = adrpc_crc32(out->data, out->bytes);
    b->hook_ticks += bsp_counter() - end;
}

static int invoke(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    const adrt_model_t *m = b->model;
    uint32_t warmup = adrpc_get_u32(r);
    int profile = adrpc_get_bool(r);
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    inputs_changed(b);
    int32_t refused = ADRPC_OK;
    if (!b->upload_verified) {
        refused = ADRPC_NOT_UPLOADED; /* the weights are not (all) there */
    } else if (profile && m->num_layers > ADRPC_MAX_LAYERS) {
        refused = ADRPC_TOO_MANY_LAYERS;
    }
    if (refused != ADRPC_OK) {
        adrpc_put_i32(w, refused);
        adrpc_put_u64(w, 0);
        return ADRPC_OK;
    }
    int failed = 0;
    /* The arena plan may reuse input memory, so every invocation gets fresh inputs. */
    for (uint32_t k = 0; k < warmup; k++) {
        copy_staging(b);
        failed |= m->invoke() != 0;
    }
    copy_staging(b);
    b->hook_ticks = 0;
    if (profile) {
        m->set_layer_hook(profile_hook, b);
    }
    uint64_t start = bsp_counter();
    failed |= m->invoke() != 0;
    uint64_t ticks = bsp_counter() - start - b->hook_ticks;
    m->set_layer_hook(NULL, NULL);
    b->outputs_valid = !failed;
    b->stats_valid = !failed && profile;
    b->counts_valid = b->stats_valid;
    adrpc_put_i32(w, failed ? ADRPC_INVOKE_FAILED : ADRPC_OK);
    adrpc_put_u64(w, ticks);
    return ADRPC_OK;
}

static int get_output(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    const adrt_model_t *m = b->model;
    uint32_t index = adrpc_get_u32(r);
    uint32_t offset = adrpc_get_u32(r);
    uint32_t len = adrpc_get_u32(r);
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    int32_t status = ADRPC_OK;
    if (index >= m->num_outputs) {
        status = ADRPC_BAD_INDEX;
    } else if (!range_ok(offset, len, m->outputs[index].bytes)) {
        status = ADRPC_BAD_RANGE;
    } else if (!b->outputs_valid) {
        status = ADRPC_NOT_INVOKED;
    }
    adrpc_put_i32(w, status);
    if (status == ADRPC_OK) {
        adrpc_put_binary(w, (const uint8_t *)m->output(index) + offset, len);
    } else {
        adrpc_put_binary(w, NULL, 0);
    }
    return ADRPC_OK;
}

/* The arguments `uint32 first, uint32 count` of a page of the last profiled invoke's layers
 * (`recorded`: it recorded what is asked for): the status, and `count` cut to the layers there
 * are (0 unless OK). 0 when the arguments do not decode. */
static int layer_page(const adrpc_board_t *b, adrpc_reader_t *r, int recorded, uint32_t *first,
                      uint32_t *count, int32_t *status) {
    uint32_t layers = b->model->num_layers;
    *first = adrpc_get_u32(r);
    *count = adrpc_get_u32(r);
    *status = ADRPC_OK;
    if (!recorded) {
        *status = ADRPC_NOT_PROFILED;
    } else if (*first > layers) {
        *status = ADRPC_BAD_RANGE;
    }
    if (*status != ADRPC_OK || *count > layers - *first) {
        *count = *status == ADRPC_OK ? layers - *first : 0;
    }
    return args_ok(r);
}

static int get_layer_stats(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    const adrt_model_t *m = b->model;
    uint32_t first, count;
    int32_t status;
    if (!layer_page(b, r, b->stats_valid, &first, &count, &status)) {
        return ADRPC_BAD_REQUEST;
    }
    adrpc_put_i32(w, status);
    adrpc_put_u32(w, m->num_layers);
    /* The list count is written first, so count the entries that fit before writing them. */
    uint32_t room = w->cap - w->pos - 4u;
    uint32_t fit = 0;
    while (fit < count) {
        uint32_t size = adrpc_string_size(m->layer_tags[first + fit]) + 4u + 8u + 4u;
        if (size > room) {
            break;
        }
        room -= size;
        fit++;
    }
    adrpc_put_list(w, fit);
    for (uint32_t k = first; k < first + fit; k++) {
        adrpc_put_string(w, m->layer_tags[k]);
        adrpc_put_u32(w, m->layer_macs[k]);
        adrpc_put_u64(w, b->layer_ticks[k]);
        adrpc_put_u32(w, b->layer_crc[k]);
    }
    return ADRPC_OK;
}

/* The reply of the three upload calls: where the upload stands. */
static void put_upload_state(const adrpc_board_t *b, adrpc_writer_t *w, int32_t status) {
    adrpc_put_i32(w, status);
    adrpc_put_u32(w, b->upload.bytes);
    adrpc_put_u32(w, b->upload_received);
    adrpc_put_u32(w, b->upload.crc32);
    adrpc_put_bool(w, b->upload_verified);
}

static int get_upload_state(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    put_upload_state(b, w, ADRPC_OK);
    return ADRPC_OK;
}

/* Chunks come in order: one may start anywhere up to what has been received, so a chunk sent
 * again after a lost reply is harmless, and the host resumes from `received` after a fault. */
static int upload(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    uint32_t offset, len;
    const uint8_t *data;
    if (!get_chunk(r, &offset, &data, &len)) {
        return ADRPC_BAD_REQUEST;
    }
    int32_t status = ADRPC_OK;
    if (offset > b->upload_received || !range_ok(offset, len, b->upload.bytes)) {
        status = ADRPC_BAD_RANGE;
    } else if (!b->upload_verified) { /* a verified image is never written again */
        memcpy(b->upload.base + offset, data, len);
        if (offset + len > b->upload_received) {
            b->upload_received = offset + len;
        }
    }
    put_upload_state(b, w, status);
    return ADRPC_OK;
}

/* The whole image against the CRC-32 the build wrote into the firmware. On a mismatch the
 * upload starts over: the host cannot tell which bytes are wrong. */
static int verify_upload(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    int32_t status = ADRPC_OK;
    if (!b->upload_verified) {
        if (b->upload_received != b->upload.bytes) {
            status = ADRPC_BAD_RANGE;
        } else if (adrpc_crc32(b->upload.base, b->upload.bytes) != b->upload.crc32) {
            status = ADRPC_UPLOAD_MISMATCH;
            b->upload_received = 0;
        } else {
            b->upload_verified = 1;
        }
    }
    put_upload_state(b, w, status);
    return ADRPC_OK;
}

/* Events one profiled invoke counts for this model: what the core counts at once, fewer when
 * the per-layer table cannot hold that many for every layer. */
static uint32_t events_at_once(const adrpc_board_t *b) {
    uint32_t layers = b->model->num_layers ? b->model->num_layers : 1u;
    uint32_t fit = ADRPC_COUNTER_WORDS / layers;
    return b->counters.events < fit ? b->counters.events : fit;
}

static int get_counter_info(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    adrpc_put_i32(w, ADRPC_OK);
    adrpc_put_u8(w, (uint8_t)b->counters.kind);
    adrpc_put_u32(w, b->counters.counters);
    adrpc_put_u32(w, events_at_once(b));
    return ADRPC_OK;
}

static int set_counters(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    uint32_t count = adrpc_get_list(r);
    uint32_t events[ADRPC_MAX_EVENTS];
    for (uint32_t k = 0; k < count && k < ADRPC_MAX_EVENTS; k++) {
        events[k] = adrpc_get_u32(r);
    }
    if (count > ADRPC_MAX_EVENTS) {
        return ADRPC_BAD_RANGE; /* more than any unit counts at once; the rest is unread */
    }
    if (!args_ok(r)) {
        return ADRPC_BAD_REQUEST;
    }
    int32_t status = ADRPC_OK;
    if (count > events_at_once(b) || !adrpc_counters_select(events, count)) {
        status = ADRPC_BAD_RANGE;
    } else {
        b->num_events = count;
        b->counts_valid = 0;
    }
    adrpc_put_i32(w, status);
    return ADRPC_OK;
}

static int get_layer_counters(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w) {
    uint32_t first, count;
    int32_t status;
    if (!layer_page(b, r, b->counts_valid, &first, &count, &status)) {
        return ADRPC_BAD_REQUEST;
    }
    /* Whole layers only, as many as fit after the status, total, events and list count. */
    uint32_t per_layer = 4u * b->num_events;
    uint32_t room = w->cap - w->pos - 16u;
    if (per_layer > 0 && count > room / per_layer) {
        count = room / per_layer;
    }
    adrpc_put_i32(w, status);
    adrpc_put_u32(w, b->model->num_layers);
    adrpc_put_u32(w, b->num_events);
    adrpc_put_list(w, count * b->num_events);
    for (uint32_t i = first * b->num_events; i < (first + count) * b->num_events; i++) {
        adrpc_put_u32(w, b->layer_counts[i]);
    }
    return ADRPC_OK;
}

typedef int (*handler_t)(adrpc_board_t *b, adrpc_reader_t *r, adrpc_writer_t *w);

static const handler_t k_handlers[] = {
    NULL,          get_info,         get_tensor,      set_input,          fill_inputs,
    invoke,        get_output,       get_layer_stats, get_upload_state,   upload,
    verify_upload, get_counter_info, set_counters,    get_layer_counters,
};

/* Every message body ends with the CRC-32 of the bytes before it: the frame's CRC-16 misses
 * some multi-byte bursts (any XOR of a multiple of its polynomial, such as 01 10 21), and a
 * corrupted argument or reported number must be retried, never acted on or reported. */
static int unseal(const uint8_t *msg, uint32_t *len) {
    if (*len < ADRPC_SEAL_BYTES) {
        return 0;
    }
    *len -= ADRPC_SEAL_BYTES;
    const uint8_t *t = &msg[*len];
    uint32_t crc =
        (uint32_t)t[0] | ((uint32_t)t[1] << 8) | ((uint32_t)t[2] << 16) | ((uint32_t)t[3] << 24);
    return adrpc_crc32(msg, *len) == crc;
}

static uint32_t seal(uint8_t *msg, uint32_t len) {
    uint32_t crc = adrpc_crc32(msg, len);
    for (uint32_t i = 0; i < ADRPC_SEAL_BYTES; i++) {
        msg[len + i] = (uint8_t)(crc >> (8 * i));
    }
    return len + ADRPC_SEAL_BYTES;
}

uint32_t adrpc_board_handle(adrpc_board_t *b, const uint8_t *request, uint32_t len, uint8_t *reply,
                            uint32_t cap) {
    if (!unseal(request, &len)) {
        bsp_debug_write("adrpc: dropped a request: bad CRC-32\n");
        return 0; /* as for a bad frame: the host resends */
    }
    adrpc_reader_t r;
    adrpc_msg_t msg;
    adrpc_reader_init(&r, request, len);
    adrpc_get_header(&r, &msg);
    if (r.error || msg.type != ADRPC_MSG_INVOCATION) {
        return 0; /* not a call we can answer */
    }
    handler_t handler = NULL;
    if (msg.service == ADRPC_SERVICE_BOARD &&
        msg.method < sizeof k_handlers / sizeof k_handlers[0]) {
        handler = k_handlers[msg.method];
    }
    adrpc_writer_t w;
    uint32_t room = cap - ADRPC_SEAL_BYTES;
    adrpc_writer_init(&w, reply, room);
    msg.type = ADRPC_MSG_REPLY;
    adrpc_put_header(&w, &msg);
    int error = handler ? handler(b, &r, &w) : ADRPC_UNKNOWN_METHOD;
    if (error != ADRPC_OK || w.overflow) {
        /* An error reply: the header and one non-zero status. */
        adrpc_writer_init(&w, reply, room);
        adrpc_put_header(&w, &msg);
        adrpc_put_i32(&w, error != ADRPC_OK ? error : ADRPC_BAD_REQUEST);
    }
    return seal(reply, w.pos);
}

void adrpc_board_serve(adrpc_board_t *b) {
    static uint8_t reply[ADRPC_MAX_BODY];
    for (;;) {
        const uint8_t *request;
        uint32_t len = adrpc_frame_read(&request);
        uint32_t reply_len = adrpc_board_handle(b, request, len, reply, sizeof reply);
        if (reply_len > 0) {
            adrpc_frame_write(reply, reply_len);
        }
    }
}
