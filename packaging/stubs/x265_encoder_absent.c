/*
 * Stands in for PyAV's libx265 (the HEVC *encoder*, 19.6 MiB) in the Linux bundle.
 *
 * Why it exists: Takeback only DECODES video (FFmpeg decodes HEVC itself; x265 only encodes). But PyAV's
 * libavcodec names libx265 in DT_NEEDED, and Python loads extension modules with RTLD_NOW, so a library of
 * that exact soname must be there and must define every symbol libavcodec imports from it, or `import av`
 * fails. libavcodec imports one: x265_api_get_<X265_BUILD> (packaging/encoder_stubs.py checks that list with
 * nm on every build and fails it if any bundled ELF needs a symbol this file lacks).
 *
 * The contract relied on is FFmpeg's libavcodec/libx265.c (read in the FFmpeg 7.x source, the one with
 * libx265_get_supported_config(); PyAV 18.1.0 ships FFmpeg 8.1.2, on which the release test checks it):
 * - libx265_get_supported_config() calls x265_api_get(12), (10), (8) and only compares the result with NULL.
 * - libx265_encode_init() does `ctx->api = x265_api_get(depth); if (!ctx->api) ctx->api = x265_api_get(0);`
 *   WITHOUT a NULL check after that, then `ctx->params = ctx->api->param_alloc(); if (!ctx->params)
 *   { log "Could not allocate x265 param structure."; return AVERROR(ENOMEM); }`.
 *   So x265_api_get must return a table for depth 0 (we answer 0 and 8, like an 8-bit-only x265), and
 *   param_alloc returning NULL makes opening the encoder fail cleanly with ENOMEM before anything else runs.
 * - libx265_encode_close() (called by init itself on later failures, and by avcodec for encoders with
 *   FF_CODEC_CAP_INIT_CLEANUP) calls api->param_free(ctx->params) with params NULL, and
 *   api->encoder_close() only when an encoder was opened. param_free accepts NULL here.
 * Every other slot of the table points to absent_function(), which does nothing and returns 0 (NULL for the
 * functions that return pointers, i.e. "failed"), so whatever FFmpeg calls on a failed encoder, nothing
 * crashes. Calling it through another function type is fine on the SysV x86-64 and AArch64 ABIs (the caller
 * owns its arguments; integer and pointer results come back in the same register); FFmpeg never reaches these
 * slots once param_alloc has failed.
 *
 * struct x265_api (x265.h) starts with 8 ints (api_major_version, api_build_number, sizeof_param,
 * sizeof_picture, sizeof_analysis_data, sizeof_zone, sizeof_stats, bit_depth), two const char*
 * (version_str, build_info_str), then function pointers, param_alloc and param_free first. The table below
 * has that head, then far more slots than any x265 build's table has, so FFmpeg never reads past it.
 *
 * Built at release time by packaging/encoder_stubs.py: gcc -shared -nostdlib (it needs no library at all),
 * with X265_API_GET set to the symbol name and X265_BUILD_NUMBER to the build, both read from the original.
 * No x265 code or header is used. The release test tests/release/test_encoder_stubs.py opens the libx265
 * encoder through the frozen bundle's PyAV and expects a clean error.
 */

#ifndef X265_API_GET
#error "define X265_API_GET, the symbol libavcodec imports (x265_api_get_<build>)"
#endif
#ifndef X265_BUILD_NUMBER
#error "define X265_BUILD_NUMBER, the x265 build the original library is (its soname's number)"
#endif

#define EXPORT __attribute__((visibility("default")))
#define SLOTS 256

typedef void *(*absent_slot)(void);

struct x265_api_absent {
    int api_major_version;
    int api_build_number;
    int sizeof_param;
    int sizeof_picture;
    int sizeof_analysis_data;
    int sizeof_zone;
    int sizeof_stats;
    int bit_depth;
    const char *version_str;
    const char *build_info_str;
    void *(*param_alloc)(void);
    void (*param_free)(void *);
    absent_slot rest[SLOTS];
};

/* Found by packaging/sbom.py, which then credits this file to Takeback instead of the wheel. */
__attribute__((used)) const char takeback_stub_marker[] =
    "takeback encoder stub: packaging/stubs/x265_encoder_absent.c (no encoder inside)";

static void *param_alloc_absent(void) { return 0; }

static void param_free_absent(void *params) { (void)params; }

static void *absent_function(void) { return 0; }

#define FOUR absent_function, absent_function, absent_function, absent_function
#define SIXTEEN FOUR, FOUR, FOUR, FOUR
#define SIXTY_FOUR SIXTEEN, SIXTEEN, SIXTEEN, SIXTEEN

static const struct x265_api_absent api = {
    .api_major_version = 0,
    .api_build_number = X265_BUILD_NUMBER,
    .bit_depth = 8,
    .version_str = "absent (Takeback decodes only; this stub has no encoder)",
    .build_info_str = "takeback encoder stub",
    .param_alloc = param_alloc_absent,
    .param_free = param_free_absent,
    .rest = { SIXTY_FOUR, SIXTY_FOUR, SIXTY_FOUR, SIXTY_FOUR },
};

_Static_assert(sizeof(api.rest) / sizeof(api.rest[0]) == SLOTS, "every slot is filled");

EXPORT const void *X265_API_GET(int bit_depth)
{
    return bit_depth == 0 || bit_depth == 8 ? &api : 0;
}
