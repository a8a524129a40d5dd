/* The image decoder front door: format from the magic bytes, options filled with their
 * defaults, dispatch to the per-format decoder, and the reusable pixel buffer. */
#include "image.h"

#include <stdlib.h>
#include <string.h>

#include "image_decoders.h"

sc_image_format sc_image_format_of(const uint8_t *data, size_t bytes) {
    static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (data == NULL)
        return SC_IMAGE_UNKNOWN;
    if (bytes >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
        return SC_IMAGE_JPEG;
    if (bytes >= 8 && memcmp(data, png_magic, 8) == 0)
        return SC_IMAGE_PNG;
    if (bytes >= 4 && ((data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0) ||
                       (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43))))
        return SC_IMAGE_TIFF;
    return SC_IMAGE_UNKNOWN;
}

const char *sc_image_format_name(sc_image_format format) {
    switch (format) {
    case SC_IMAGE_JPEG: return "JPEG";
    case SC_IMAGE_PNG: return "PNG";
    case SC_IMAGE_TIFF: return "TIFF";
    default: return "unknown";
    }
}

int sc_image_format_available(sc_image_format format) {
    switch (format) {
#ifdef SCAAT_HAVE_JPEG
    case SC_IMAGE_JPEG: return 1;
#endif
#ifdef SCAAT_HAVE_TIFF
    case SC_IMAGE_TIFF: return 1;
#endif
    case SC_IMAGE_PNG: return 1;
    default: return 0;
    }
}

const char *sc_image_formats_built(void) {
#if defined(SCAAT_HAVE_JPEG) && defined(SCAAT_HAVE_TIFF)
    return "jpeg png tiff";
#elif defined(SCAAT_HAVE_JPEG)
    return "jpeg png (no tiff: libtiff not found at configure time)";
#elif defined(SCAAT_HAVE_TIFF)
    return "png tiff (no jpeg: libjpeg not found at configure time)";
#else
    return "png (no jpeg, no tiff: libjpeg and libtiff not found at configure time)";
#endif
}

/* Known format this build can decode, or a one-line error. */
static sc_status image_format_checked(const uint8_t *data, size_t bytes, const char *name,
                                      sc_image_format *format, sc_error *err) {
    *format = sc_image_format_of(data, bytes);
    if (*format == SC_IMAGE_UNKNOWN)
        return sc_fail(err, SC_ERR_FORMAT,
                       "%s: not a JPEG, PNG or TIFF image (%zu bytes, unknown magic bytes)", name, bytes);
    if (!sc_image_format_available(*format))
        return sc_fail(err, SC_ERR_UNSUPPORTED,
                       "%s: %s image, but this build has no %s decoder (formats built: %s)", name,
                       sc_image_format_name(*format), sc_image_format_name(*format),
                       sc_image_formats_built());
    return SC_OK;
}

sc_status sc_image_check_size(const sc_decode_request *req, const char *format, int64_t height,
                              int64_t width, sc_error *err) {
    if (height <= 0 || width <= 0 || height > INT32_MAX / 4 || width > INT32_MAX / 4)
        return sc_fail(err, SC_ERR_FORMAT, "%s: %s header gives an invalid size %lld x %lld",
                       req->name, format, (long long)width, (long long)height);
    if (height * width > req->max_pixels)
        return sc_fail(err, SC_ERR_FORMAT,
                       "%s: %s image of %lld x %lld = %lld pixels is above the limit of %lld pixels "
                       "(decompression bomb?)",
                       req->name, format, (long long)width, (long long)height,
                       (long long)(height * width), (long long)req->max_pixels);
    return SC_OK;
}

sc_status sc_image_probe(const uint8_t *data, size_t bytes, const char *name,
                         sc_image_format *format, int *height, int *width, sc_error *err) {
    sc_image_format f;
    SC_TRY(image_format_checked(data, bytes, name, &f, err));
    if (format != NULL)
        *format = f;
    if (f == SC_IMAGE_PNG) {
        /* IHDR is the first chunk: length, "IHDR", width, height (big-endian). */
        if (bytes < 24 || memcmp(data + 12, "IHDR", 4) != 0)
            return sc_fail(err, SC_ERR_FORMAT, "%s: PNG without an IHDR chunk first (%zu bytes)", name, bytes);
        uint32_t w = ((uint32_t)data[16] << 24) | ((uint32_t)data[17] << 16) | ((uint32_t)data[18] << 8) | data[19];
        uint32_t h = ((uint32_t)data[20] << 24) | ((uint32_t)data[21] << 16) | ((uint32_t)data[22] << 8) | data[23];
        if (w == 0 || h == 0 || w > INT32_MAX / 4 || h > INT32_MAX / 4)
            return sc_fail(err, SC_ERR_FORMAT, "%s: PNG header gives an invalid size %u x %u", name, w, h);
        *height = (int)h;
        *width = (int)w;
        return SC_OK;
    }
#ifdef SCAAT_HAVE_JPEG
    if (f == SC_IMAGE_JPEG)
        return sc_jpeg_probe(data, bytes, name, height, width, err);
#endif
#ifdef SCAAT_HAVE_TIFF
    if (f == SC_IMAGE_TIFF)
        return sc_tiff_probe(data, bytes, name, height, width, err);
#endif
    return sc_fail(err, SC_ERR_INTERNAL, "%s: no probe for format %d", name, (int)f);
}

sc_status sc_image_decode(const uint8_t *data, size_t bytes, const char *name,
                          const sc_decode_options *opt, sc_image *out, sc_error *err) {
    if (name == NULL)
        name = "<image>";
    sc_decode_request req = {name, 3, SC_IMAGE_DEFAULT_MAX_PIXELS, 0, 0};
    if (opt != NULL) {
        if (opt->channels != 1 && opt->channels != 3)
            return sc_fail(err, SC_ERR_USAGE, "%s: decode asked for %d channels (expected 1 or 3)",
                           name, opt->channels);
        if (opt->max_pixels < 0 || opt->min_width < 0 || opt->min_height < 0)
            return sc_fail(err, SC_ERR_USAGE, "%s: negative max_pixels, min_width or min_height", name);
        req.channels = opt->channels;
        if (opt->max_pixels > 0)
            req.max_pixels = opt->max_pixels;
        req.min_width = opt->min_width;
        req.min_height = opt->min_height;
    }
    sc_image_format f;
    SC_TRY(image_format_checked(data, bytes, name, &f, err));
    if (f == SC_IMAGE_PNG)
        return sc_png_decode(data, bytes, &req, out, err);
#ifdef SCAAT_HAVE_JPEG
    if (f == SC_IMAGE_JPEG)
        return sc_jpeg_decode(data, bytes, &req, out, err);
#endif
#ifdef SCAAT_HAVE_TIFF
    if (f == SC_IMAGE_TIFF)
        return sc_tiff_decode(data, bytes, &req, out, err);
#endif
    return sc_fail(err, SC_ERR_INTERNAL, "%s: no decoder for format %d", name, (int)f);
}

sc_status sc_image_reserve(sc_image *image, int height, int width, int channels, sc_error *err) {
    size_t need = (size_t)height * (size_t)width * (size_t)channels;
    if (need > image->capacity) {
        uint8_t *grown = realloc(image->pixels, need);
        if (grown == NULL)
            return sc_fail(err, SC_ERR_OOM, "cannot allocate %zu bytes for a %d x %d image", need,
                           width, height);
        image->pixels = grown;
        image->capacity = need;
    }
    image->height = height;
    image->width = width;
    image->channels = channels;
    return SC_OK;
}

void sc_image_free(sc_image *image) {
    if (image == NULL)
        return;
    free(image->pixels);
    memset(image, 0, sizeof(*image));
}
