/*
 * Stands in for PyAV's libSvtAv1Enc (the SVT-AV1 *encoder*, 6.7 MiB) in the Linux bundle.
 *
 * Why it exists: Takeback only DECODES video (AV1 is decoded by dav1d or FFmpeg itself). But PyAV's libavcodec
 * names libSvtAv1Enc in DT_NEEDED, and Python loads extension modules with RTLD_NOW, so a library of that
 * exact soname must be there and must define every symbol libavcodec imports from it (14 functions; see the
 * list below). packaging/encoder_stubs.py checks that list with nm on every build and fails it if any bundled
 * ELF needs a symbol this file lacks.
 *
 * The contract relied on is FFmpeg's libavcodec/libsvtav1.c (read in the FFmpeg 7.x source, the one with
 * SVT_AV1_CHECK_VERSION(3, 0, 0); PyAV 18.1.0 ships FFmpeg 8.1.2, on which the release test checks it):
 * - eb_enc_init() first calls `svt_ret = svt_av1_enc_init_handle(&svt_enc->svt_handle, &svt_enc->enc_params)`
 *   (SVT-AV1 >= 3.0; three arguments before) and returns `svt_print_error(...)`, an AVERROR, when
 *   svt_ret != EB_ErrorNone. We return EB_ErrorInsufficientResources and leave the handle NULL.
 * - eb_enc_close() (run for a failed init: FF_CODEC_CAP_INIT_CLEANUP) calls svt_av1_enc_deinit and
 *   svt_av1_enc_deinit_handle only `if (svt_enc->svt_handle)`, and touches in_buf only when it was allocated.
 * Every other function fails or does nothing, so nothing crashes whatever FFmpeg calls on a failed encoder.
 * Pointer arguments are never read. No SVT-AV1 code or header is used; the types are spelled as void * and
 * int32_t (EbErrorType is a 32-bit enum).
 *
 * Built at release time by packaging/encoder_stubs.py (gcc -shared -nostdlib: it needs no library at all).
 * tests/release/test_encoder_stubs.py opens the libsvtav1 encoder through the frozen bundle's PyAV and
 * expects a clean error.
 */

#include <stddef.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

/* SVT-AV1's EbErrorType values. */
#define EB_ERROR_NONE 0
#define EB_ERROR_INSUFFICIENT_RESOURCES ((int32_t)0x80001000)

/* Found by packaging/sbom.py, which then credits this file to Takeback instead of the wheel. */
__attribute__((used)) const char takeback_stub_marker[] =
    "takeback encoder stub: packaging/stubs/svtav1_encoder_absent.c (no encoder inside)";

/* The third parameter is only in SVT-AV1 < 3.0's signature; either caller is served. */
EXPORT int32_t svt_av1_enc_init_handle(void **p_handle, void *second, void *third)
{
    (void)second;
    (void)third;
    if (p_handle)
        *p_handle = NULL;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT int32_t svt_av1_enc_set_parameter(void *handle, void *config)
{
    (void)handle;
    (void)config;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT int32_t svt_av1_enc_parse_parameter(void *config, const char *name, const char *value)
{
    (void)config;
    (void)name;
    (void)value;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT int32_t svt_av1_enc_init(void *handle)
{
    (void)handle;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT int32_t svt_av1_enc_stream_header(void *handle, void **output)
{
    (void)handle;
    if (output)
        *output = NULL;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT int32_t svt_av1_enc_stream_header_release(void *header)
{
    (void)header;
    return EB_ERROR_NONE;
}

EXPORT int32_t svt_av1_enc_send_picture(void *handle, void *picture)
{
    (void)handle;
    (void)picture;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT int32_t svt_av1_enc_get_packet(void *handle, void **packet, uint8_t pic_send_done)
{
    (void)handle;
    (void)pic_send_done;
    if (packet)
        *packet = NULL;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT void svt_av1_enc_release_out_buffer(void **packet)
{
    (void)packet;
}

EXPORT int32_t svt_av1_enc_get_stream_info(void *handle, uint32_t stream_info_id, void *info)
{
    (void)handle;
    (void)stream_info_id;
    (void)info;
    return EB_ERROR_INSUFFICIENT_RESOURCES;
}

EXPORT int32_t svt_av1_enc_deinit(void *handle)
{
    (void)handle;
    return EB_ERROR_NONE;
}

EXPORT int32_t svt_av1_enc_deinit_handle(void *handle)
{
    (void)handle;
    return EB_ERROR_NONE;
}

EXPORT int svt_add_metadata(void *buffer, uint32_t type, const uint8_t *data, size_t size)
{
    (void)buffer;
    (void)type;
    (void)data;
    (void)size;
    return -1;
}

EXPORT void svt_metadata_array_free(void *metadata)
{
    (void)metadata;
}
