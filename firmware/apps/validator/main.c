/* Validator firmware: serves one generated model to the host over the RPC console forever
 * (firmware/rpc/autodeploy.erpc). The host sets or generates inputs, invokes, reads outputs and
 * per-layer stats, and compares them with its reference; when the model runs from PSRAM it
 * first uploads the model's data (the image carries none).
 *
 * The firmware builder generates, per variant, the model to serve and a staging buffer that
 * holds every input's bytes back to back (it survives invocations that reuse input memory);
 * the linker script describes the upload in `adrt_upload_info`. */
#include <stdint.h>

#include "adrpc/board.h"
#include "bsp/bsp.h"

extern const adrt_model_t *const adrt_app_model;
extern uint8_t adrt_app_staging[];
extern const uint32_t adrt_app_staging_bytes;
extern const adrpc_upload_t adrt_upload_info;

static adrpc_board_t s_board;

int main(void) {
    bsp_init();
    const char *problem = adrpc_board_init(&s_board, adrt_app_model, adrt_app_staging,
                                           adrt_app_staging_bytes, &adrt_upload_info);
    if (problem) {
        bsp_debug_write("validator: ");
        bsp_debug_write(problem);
        bsp_debug_write("\n");
        bsp_exit(2);
    }
    adrt_app_model->init();
    adrpc_board_serve(&s_board);
}
