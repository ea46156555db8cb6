/* What example_data.c (generated per model with the package) provides to the example. */
#ifndef EXAMPLE_DATA_H
#define EXAMPLE_DATA_H

#include <stdint.h>

#include "adrt/model_api.h"

/* The packaged model's descriptor. */
extern const adrt_model_t *const example_model;
/* Input i's bytes, and output i's bytes as the host reference computed them for those inputs. */
extern const uint8_t *const example_inputs[];
extern const uint8_t *const example_expected[];

#endif /* EXAMPLE_DATA_H */
