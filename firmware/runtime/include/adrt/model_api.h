/* The interface every generated model exposes, so firmware (RPC server, profiler, examples)
 * can drive any model through one descriptor: `extern const adrt_model_t <name>_model;`. */
#ifndef ADRT_MODEL_API_H
#define ADRT_MODEL_API_H

#include <stdint.h>

#define ADRT_MAX_RANK 6

typedef enum {
    ADRT_DTYPE_INT8 = 0,
    ADRT_DTYPE_UINT8 = 1,
    ADRT_DTYPE_INT16 = 2,
    ADRT_DTYPE_INT32 = 3,
    ADRT_DTYPE_FLOAT32 = 4,
    ADRT_DTYPE_INT64 = 5,
} adrt_dtype_t;

typedef struct {
    const char *name;
    adrt_dtype_t dtype;
    int32_t rank;
    int32_t shape[ADRT_MAX_RANK];
    uint32_t bytes;
    float scale; /* per-tensor quantization; 0 when the tensor is not quantized */
    int32_t zero_point;
} adrt_tensor_info_t;

/* A tensor's bytes in memory. */
typedef struct {
    const void *data;
    uint32_t bytes;
} adrt_buffer_t;

/* Called before (after == 0) and after (after == 1) each layer while a hook is set. */
typedef void (*adrt_layer_hook_t)(void *user, int32_t layer, int32_t after);

typedef struct {
    const char *name;
    const char *build_id; /* first 16 hex digits of the .tflite's sha256 */
    uint32_t arena_bytes;
    uint32_t num_inputs;
    uint32_t num_outputs;
    const adrt_tensor_info_t *inputs;
    const adrt_tensor_info_t *outputs;
    uint32_t num_layers;
    const char *const *layer_tags;      /* e.g. "3_DEPTHWISE_CONV_2D", index = layer */
    const uint32_t *layer_macs;         /* estimated MACs per layer (reference formula) */
    const adrt_buffer_t *layer_outputs; /* each layer's (first) output tensor, after invoke */
    int (*init)(void);                  /* returns 0 */
    int (*invoke)(void);                /* returns 0 */
    void *(*input)(uint32_t index);     /* NULL if out of range */
    void *(*output)(uint32_t index);
    void (*set_layer_hook)(adrt_layer_hook_t hook, void *user);
} adrt_model_t;

#endif /* ADRT_MODEL_API_H */
