/* The Board service (firmware/rpc/autodeploy.erpc) over the console: serves one generated
 * model, with an input staging buffer that the host fills and every invocation copies from. */
#ifndef ADRPC_BOARD_H
#define ADRPC_BOARD_H

#include <stdint.h>

#include "adrpc/counters.h"
#include "adrpc/frame.h"
#include "adrt/model_api.h"

#define ADRPC_SERVICE_BOARD 1u

enum {
    ADRPC_GET_INFO = 1,
    ADRPC_GET_TENSOR = 2,
    ADRPC_SET_INPUT = 3,
    ADRPC_FILL_INPUTS = 4,
    ADRPC_INVOKE = 5,
    ADRPC_GET_OUTPUT = 6,
    ADRPC_GET_LAYER_STATS = 7,
    ADRPC_GET_UPLOAD_STATE = 8,
    ADRPC_UPLOAD = 9,
    ADRPC_VERIFY_UPLOAD = 10,
    ADRPC_GET_COUNTER_INFO = 11,
    ADRPC_SET_COUNTERS = 12,
    ADRPC_GET_LAYER_COUNTERS = 13,
};

/* Status codes of the IDL's enum Status. */
enum {
    ADRPC_OK = 0,
    ADRPC_BAD_INDEX = 1,
    ADRPC_BAD_RANGE = 2,
    ADRPC_NOT_INVOKED = 3,
    ADRPC_NOT_PROFILED = 4,
    ADRPC_TOO_MANY_LAYERS = 5,
    ADRPC_BAD_REQUEST = 6,
    ADRPC_UNKNOWN_METHOD = 7,
    ADRPC_INVOKE_FAILED = 8,
    ADRPC_NOT_UPLOADED = 9,
    ADRPC_UPLOAD_MISMATCH = 10,
};

/* Layers a profiled invocation can record. */
#ifndef ADRPC_MAX_LAYERS
#define ADRPC_MAX_LAYERS 512u
#endif

/* Per-layer counter values a profiled invocation can record (layers x events): 4 KB. A model
 * with more layers counts fewer events per invocation (CounterInfo.events says how many). */
#ifndef ADRPC_COUNTER_WORDS
#define ADRPC_COUNTER_WORDS 1024u
#endif

/* Every message body ends with a CRC-32 (IEEE, as zlib.crc32) of the bytes before it. */
#define ADRPC_SEAL_BYTES 4u

/* Largest binary payload of set_input / get_output: a frame body minus the message header,
 * the other fields and the CRC-32 (at most 24 bytes). */
#define ADRPC_MAX_CHUNK (ADRPC_MAX_BODY - 32u)

/* What the host uploads before the first inference: the model data of an image whose model
 * runs from PSRAM (the linker script's `adrt_upload_info`; bytes 0: nothing to upload). The
 * build writes the CRC-32 of the image's bytes into it after linking. */
typedef struct {
    uint8_t *base;
    uint32_t bytes;
    uint32_t crc32;
} adrpc_upload_t;

typedef struct {
    const adrt_model_t *model;
    adrpc_upload_t upload;
    uint32_t upload_received; /* bytes received in order from the start of the upload */
    int upload_verified;      /* all received and the CRC-32 matched: the model may run */
    uint8_t *staging;         /* every input's bytes back to back */
    uint32_t staging_bytes;
    int outputs_valid; /* an invoke succeeded since the inputs last changed */
    int stats_valid;   /* ... and it was profiled */
    uint64_t layer_start;
    uint64_t hook_ticks; /* time spent in the profiling hook, taken out of the total */
    uint64_t layer_ticks[ADRPC_MAX_LAYERS];
    uint32_t layer_crc[ADRPC_MAX_LAYERS];
    adrpc_counters_t counters; /* the core's event counters (adrpc/counters.h) */
    uint32_t num_events;       /* events selected by set_counters, counted by profiled invokes */
    int counts_valid;          /* the last invoke was profiled with the events selected now */
    uint32_t event_start[ADRPC_MAX_EVENTS];     /* the counters at the current layer's start */
    uint32_t layer_counts[ADRPC_COUNTER_WORDS]; /* num_events values per layer */
} adrpc_board_t;

/* Returns NULL, or why the staging buffer does not fit the model's inputs. `upload`
 * describes the model data the host uploads (bytes 0 when the image carries them). */
const char *adrpc_board_init(adrpc_board_t *b, const adrt_model_t *model, uint8_t *staging,
                             uint32_t staging_bytes, const adrpc_upload_t *upload);

/* Handles one request body; writes the reply body and returns its length (0: no reply, for a
 * request that fails its CRC-32 or is no call). */
uint32_t adrpc_board_handle(adrpc_board_t *b, const uint8_t *request, uint32_t len, uint8_t *reply,
                            uint32_t cap);

/* Reads requests from the console and answers them, forever. */
void adrpc_board_serve(adrpc_board_t *b) __attribute__((noreturn));

#endif /* ADRPC_BOARD_H */
