/* Decoding one encoded image file (JPEG, PNG, TIFF) held in memory into interleaved 8-bit
 * pixels, with the format told by the magic bytes.
 *
 * Conventions (chosen to match torchvision's ImageFolder loader, i.e. Pillow's
 * `Image.open(f).convert("RGB")`, within one grey level):
 *   - grey, palette, CMYK and alpha inputs are converted to `channels` (1 or 3); alpha is
 *     dropped (not composited), as Pillow's convert("RGB") does;
 *   - RGB -> grey uses Pillow's ITU-R 601-2 weights (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16),
 *     also for colour JPEGs (decoded to RGB first, not their luma);
 *   - 16-bit samples keep their high byte;
 *   - CMYK (JPEG, TIFF) -> RGB as Pillow: R = (255 - K) - (C (255 - K)) / 255, and so on.
 *
 * Every decode is thread-safe: library errors never reach the libraries' default handlers
 * (libjpeg error_exit -> longjmp, libpng setjmp, libtiff per-handle handlers), so a corrupt,
 * truncated or non-image file gives SC_ERR_FORMAT with one line naming `name`, never a crash
 * or an abort. A format missing from this build gives SC_ERR_UNSUPPORTED. */
#ifndef SC_IMAGE_H
#define SC_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "host/core/status.h"

/* One decoded image. The pixel buffer is reused across decodes (grown, never shrunk). */
typedef struct sc_image {
    uint8_t *pixels; /* (height, width, channels) interleaved */
    int height, width, channels;
    size_t capacity; /* bytes allocated in pixels */
} sc_image;

typedef enum sc_image_format {
    SC_IMAGE_UNKNOWN = 0,
    SC_IMAGE_JPEG,
    SC_IMAGE_PNG,
    SC_IMAGE_TIFF
} sc_image_format;

/* Refuse images with more pixels than this when no limit is given (Pillow's error limit). */
#define SC_IMAGE_DEFAULT_MAX_PIXELS ((int64_t)178956970)

typedef struct sc_decode_options {
    int channels;       /* 1 or 3: grey/CMYK/palette/alpha converted */
    int64_t max_pixels; /* refuse larger images (decompression bombs); 0 = default limit */
    int min_width, min_height; /* JPEG: the decode may be DCT-scaled down (by n/8) as long as
                                  it stays at least this size; 0 = full size */
} sc_decode_options;

/* Format from the first bytes; SC_IMAGE_UNKNOWN for anything else. */
sc_image_format sc_image_format_of(const uint8_t *data, size_t bytes);
const char *sc_image_format_name(sc_image_format format);
/* 1 when this build can decode `format` (libjpeg and libtiff are optional). */
int sc_image_format_available(sc_image_format format);
/* "jpeg png tiff", the formats this build decodes (for configure/`scaat info` lines). */
const char *sc_image_formats_built(void);

/* Full size of an encoded image from its header, without decoding the pixels. */
sc_status sc_image_probe(const uint8_t *data, size_t bytes, const char *name,
                         sc_image_format *format, int *height, int *width, sc_error *err);

/* Decode `bytes` bytes at `data` into `out` (its buffer reused); `name` is only used in error
 * messages. opt NULL = 3 channels, default limit, full size. */
sc_status sc_image_decode(const uint8_t *data, size_t bytes, const char *name,
                          const sc_decode_options *opt, sc_image *out, sc_error *err);

/* Make room for height * width * channels bytes in image and set its size. */
sc_status sc_image_reserve(sc_image *image, int height, int width, int channels, sc_error *err);

void sc_image_free(sc_image *image);

#endif
