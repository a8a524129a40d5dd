/* cairo drawing onto 8-bit RGB pixels, for the text of heatmap grids and for plots: an RGB24
 * image surface that RGB pixels are copied into and back out of (the PNG is then written by
 * png_write.h, atomically), a sans font from fontconfig (cairo's built-in font when none is
 * installed) and UTF-8-safe text. Only built when the build has cairo. Internal to
 * host/explain. */
#ifndef SC_CAIRO_CANVAS_H
#define SC_CAIRO_CANVAS_H

#include <cairo.h>
#include <stdint.h>

#include "host/core/status.h"

typedef struct sc_cairo_canvas {
    cairo_surface_t *surface;
    cairo_t *cr;
    int width, height;
} sc_cairo_canvas;

/* A white canvas of width x height with the sans font selected at font_px pixels. On failure
 * SC_ERR_OOM naming path, and nothing to destroy. */
sc_status sc_cairo_canvas_create(sc_cairo_canvas *c, int width, int height, double font_px,
                                 const char *path, sc_error *err);
void sc_cairo_canvas_destroy(sc_cairo_canvas *c);

/* Copy (height, width, 3) RGB pixels onto the canvas. */
void sc_cairo_canvas_load_rgb(sc_cairo_canvas *c, const uint8_t *rgb);
/* Copy the canvas out as RGB pixels; SC_ERR_INTERNAL naming path and cairo's reason when a
 * drawing call failed. */
sc_status sc_cairo_canvas_store_rgb(sc_cairo_canvas *c, uint8_t *rgb, const char *path,
                                    sc_error *err);

/* text with invalid UTF-8 bytes replaced by '?' and cut at a character boundary to fit out */
#define SC_CAIRO_TEXT_MAX 96
void sc_cairo_clean_text(const char *text, char out[SC_CAIRO_TEXT_MAX]);

/* Width in pixels of (cleaned) text in the current font. */
double sc_cairo_text_width(cairo_t *cr, const char *text);
/* Height of a line of text (ascent + descent) in the current font. */
double sc_cairo_line_height(cairo_t *cr);

typedef enum sc_text_align { SC_ALIGN_LEFT, SC_ALIGN_CENTER, SC_ALIGN_RIGHT } sc_text_align;
/* Draw (cleaned) text in the current colour: horizontally aligned at x, its line vertically
 * centred on y. */
void sc_cairo_text(cairo_t *cr, const char *text, double x, double y, sc_text_align align);

#endif
