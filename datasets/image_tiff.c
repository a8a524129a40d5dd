/* TIFF decoding through libtiff from memory (TIFFClientOpenExt), thread-safe: errors and
 * warnings go to handlers attached to each TIFF handle, never to libtiff's global ones.
 * 8-bit grey and RGB (with or without alpha, strips or tiles, e.g. the NCT-CRC-HE-100K
 * tiles) are read directly; every other kind (palette, CMYK, YCbCr, 16-bit, min-is-white,
 * planar) goes through libtiff's RGBA interface. First page only. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

#include "image_decoders.h"

typedef struct tiff_memory {
    const uint8_t *data;
    size_t bytes, position;
    char message[256];
} tiff_memory;

static tmsize_t tiff_read(thandle_t handle, void *dst, tmsize_t size) {
    tiff_memory *m = handle;
    size_t left = m->bytes - m->position;
    size_t n = size < 0 ? 0 : ((size_t)size < left ? (size_t)size : left);
    memcpy(dst, m->data + m->position, n);
    m->position += n;
    return (tmsize_t)n;
}

static tmsize_t tiff_write(thandle_t handle, void *src, tmsize_t size) { return 0; }

static toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
    tiff_memory *m = handle;
    uint64_t base = whence == SEEK_CUR ? m->position : whence == SEEK_END ? m->bytes : 0;
    uint64_t target = base + offset;
    if (target > m->bytes)
        return (toff_t)-1;
    m->position = (size_t)target;
    return target;
}

static int tiff_close(thandle_t handle) { return 0; }
static toff_t tiff_size(thandle_t handle) { return ((tiff_memory *)handle)->bytes; }
static int tiff_map(thandle_t handle, void **base, toff_t *size) { return 0; }
static void tiff_unmap(thandle_t handle, void *base, toff_t size) {}

static int tiff_error_to_message(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
    tiff_memory *m = user;
    if (m->message[0] == '\0')
        vsnprintf(m->message, sizeof(m->message), fmt, ap);
    return 1;
}

static int tiff_warning_quietly(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
    return 1;
}

static TIFF *tiff_open_memory(tiff_memory *m, const char *name) {
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (opts == NULL)
        return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, tiff_error_to_message, m);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, tiff_warning_quietly, m);
    TIFF *tif = TIFFClientOpenExt(name, "rm", m, tiff_read, tiff_write, tiff_seek, tiff_close,
                                  tiff_size, tiff_map, tiff_unmap, opts);
    TIFFOpenOptionsFree(opts);
    return tif;
}

static sc_status tiff_fail(tiff_memory *m, const char *name, const char *what, sc_error *err) {
    return sc_fail(err, SC_ERR_FORMAT, "%s: corrupt TIFF: %s%s%s", name, what,
                   m->message[0] ? ": " : "", m->message);
}

sc_status sc_tiff_probe(const uint8_t *data, size_t bytes, const char *name, int *height,
                        int *width, sc_error *err) {
    tiff_memory m = {data, bytes, 0, {0}};
    TIFF *tif = tiff_open_memory(&m, name);
    if (tif == NULL)
        return tiff_fail(&m, name, "cannot read the header", err);
    uint32_t w = 0, h = 0;
    int ok = TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) && TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    TIFFClose(tif);
    if (!ok || w == 0 || h == 0 || w > INT32_MAX / 4 || h > INT32_MAX / 4)
        return tiff_fail(&m, name, "missing or invalid image size", err);
    *height = (int)h;
    *width = (int)w;
    return SC_OK;
}

/* 8-bit contiguous grey or RGB, with or without extra (alpha) samples: strips or tiles. */
static sc_status tiff_read_direct(TIFF *tif, tiff_memory *m, const sc_decode_request *req,
                                  int samples, uint32_t width, uint32_t height, sc_image *out,
                                  sc_error *err) {
    int tiled = TIFFIsTiled(tif);
    uint32_t chunk_w = width, chunk_h = 0;
    if (tiled) {
        if (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &chunk_w) || !TIFFGetField(tif, TIFFTAG_TILELENGTH, &chunk_h) ||
            chunk_w == 0 || chunk_h == 0)
            return tiff_fail(m, req->name, "tiled image without a valid tile size", err);
    } else {
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &chunk_h);
        if (chunk_h == 0 || chunk_h > height)
            chunk_h = height;
    }
    tmsize_t chunk_bytes = tiled ? TIFFTileSize(tif) : TIFFStripSize(tif);
    size_t need = (size_t)chunk_w * chunk_h * (size_t)samples;
    if (chunk_bytes <= 0 || (size_t)chunk_bytes < need)
        return tiff_fail(m, req->name, "strip or tile size disagrees with the image", err);
    uint8_t *chunk = malloc((size_t)chunk_bytes);
    if (chunk == NULL)
        return sc_fail(err, SC_ERR_OOM, "%s: cannot allocate %lld bytes for a TIFF strip", req->name,
                       (long long)chunk_bytes);
    sc_status st = SC_OK;
    size_t out_stride = (size_t)width * (size_t)req->channels;
    for (uint32_t y0 = 0; y0 < height && st == SC_OK; y0 += chunk_h) {
        for (uint32_t x0 = 0; x0 < width && st == SC_OK; x0 += chunk_w) {
            tmsize_t got = tiled ? TIFFReadEncodedTile(tif, TIFFComputeTile(tif, x0, y0, 0, 0), chunk, chunk_bytes)
                                 : TIFFReadEncodedStrip(tif, TIFFComputeStrip(tif, y0, 0), chunk, chunk_bytes);
            uint32_t rows = height - y0 < chunk_h ? height - y0 : chunk_h;
            uint32_t cols = width - x0 < chunk_w ? width - x0 : chunk_w;
            if (got < 0 || (size_t)got < (size_t)rows * chunk_w * (size_t)samples) {
                st = tiff_fail(m, req->name, tiled ? "cannot decode a tile" : "cannot decode a strip", err);
                break;
            }
            for (uint32_t r = 0; r < rows; r++)
                sc_convert_row(chunk + (size_t)r * chunk_w * (size_t)samples, samples, (int)cols,
                               req->channels, out->pixels + (y0 + r) * out_stride + (size_t)x0 * req->channels);
        }
    }
    free(chunk);
    return st;
}

/* Any other kind through libtiff's RGBA interface, read into the output buffer and packed
 * down in place (alpha dropped). */
static sc_status tiff_read_rgba(TIFF *tif, tiff_memory *m, const sc_decode_request *req,
                                uint32_t width, uint32_t height, sc_image *out, sc_error *err) {
    char why[1024] = "";
    if (!TIFFRGBAImageOK(tif, why))
        return sc_fail(err, SC_ERR_FORMAT, "%s: unsupported TIFF kind: %s", req->name, why);
    SC_TRY(sc_image_reserve(out, (int)height, (int)width, 4, err));
    uint32_t *raster = (uint32_t *)(void *)out->pixels;
    if (!TIFFReadRGBAImageOriented(tif, width, height, raster, ORIENTATION_TOPLEFT, 1))
        return tiff_fail(m, req->name, "cannot decode the image", err);
    size_t count = (size_t)width * height;
    for (size_t i = 0; i < count; i++) {
        uint32_t p = raster[i];
        uint8_t rgb[3] = {(uint8_t)TIFFGetR(p), (uint8_t)TIFFGetG(p), (uint8_t)TIFFGetB(p)};
        sc_convert_row(rgb, 3, 1, req->channels, out->pixels + i * (size_t)req->channels);
    }
    out->channels = req->channels;
    return SC_OK;
}

sc_status sc_tiff_decode(const uint8_t *data, size_t bytes, const sc_decode_request *req,
                         sc_image *out, sc_error *err) {
    tiff_memory m = {data, bytes, 0, {0}};
    TIFF *tif = tiff_open_memory(&m, req->name);
    if (tif == NULL)
        return tiff_fail(&m, req->name, "cannot read the header", err);
    uint32_t width = 0, height = 0;
    uint16_t samples = 1, bits = 1, photometric = 0, planar = PLANARCONFIG_CONTIG;
    sc_status st = SC_OK;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height))
        st = tiff_fail(&m, req->name, "missing image size", err);
    if (st == SC_OK)
        st = sc_image_check_size(req, "TIFF", height, width, err);
    if (st == SC_OK) {
        TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
        TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
        TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
        if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric))
            photometric = samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
        int direct = bits == 8 && planar == PLANARCONFIG_CONTIG &&
                     ((photometric == PHOTOMETRIC_MINISBLACK && samples >= 1 && samples <= 2) ||
                      (photometric == PHOTOMETRIC_RGB && samples >= 3 && samples <= 4));
        if (direct) {
            st = sc_image_reserve(out, (int)height, (int)width, req->channels, err);
            if (st == SC_OK)
                st = tiff_read_direct(tif, &m, req, samples, width, height, out, err);
        } else {
            st = tiff_read_rgba(tif, &m, req, width, height, out, err);
        }
    }
    TIFFClose(tif);
    return st;
}
