/*
 * Stands in for pillow-heif's libx265 (the HEVC *encoder*, 19.9 MiB) in the Linux bundle.
 *
 * Why it exists: Takeback only DECODES photos (libheif decodes HEVC with libde265; x265 only encodes). But
 * pillow-heif's libheif names libx265 in DT_NEEDED, so a library of that exact soname must be there and must
 * define every symbol libheif imports from it: x265_api_get_<X265_BUILD> and x265_cleanup
 * (packaging/encoder_stubs.py checks that list with nm on every build).
 *
 * The contract relied on is libheif's libheif/plugins/encoder_x265.cc (read in libheif 1.2x, as vendored by
 * SumatraPDF; pillow-heif 1.8.1 ships libheif 1.23.6, on which the release test checks it). Unlike FFmpeg,
 * libheif checks the API table for NULL everywhere it asks for one:
 * - x265_plugin_name() uses `api != nullptr ? api->version_str : "null"`;
 * - starting an encode returns heif_error_Encoder_plugin_error / Unsupported_bit_depth ("Bit depth not
 *   supported by x265") when x265_api_get(bit_depth) is NULL, before touching anything else;
 * - freeing the encoder calls the API only if an x265 encoder was opened, which never happens here;
 * - the plugin's cleanup (heif_deinit) calls x265_cleanup(), which has nothing to free.
 * So every depth gets NULL, and saving a HEIC fails with libheif's own error instead of encoding.
 *
 * The FFmpeg stub (x265_encoder_absent.c) cannot serve here: FFmpeg needs a table back, and libheif, given a
 * table whose param_alloc fails, would write into the NULL parameters it got.
 *
 * Built at release time by packaging/encoder_stubs.py with gcc -shared -nostdlib; no x265 code or header is
 * used. tests/release/test_encoder_stubs.py saves a HEIC through the stub and expects libheif's error.
 */

#ifndef X265_API_GET
#error "define X265_API_GET, the symbol libheif imports (x265_api_get_<build>)"
#endif

#define EXPORT __attribute__((visibility("default")))

/* Found by packaging/sbom.py, which then credits this file to Takeback instead of the wheel. */
__attribute__((used)) const char takeback_stub_marker[] =
    "takeback encoder stub: packaging/stubs/x265_heif_encoder_absent.c (no encoder inside)";

EXPORT const void *X265_API_GET(int bit_depth)
{
    (void)bit_depth;
    return 0;
}

EXPORT void x265_cleanup(void)
{
}
