/* Heatmap images of saliency maps for `scaat explain` / `scaat evaluate`: a map alone through a
 * colormap, a map blended over its image, and a grid PNG for a batch (one row per image, one
 * overlay column per map set, class names, column titles and a colour-bar legend).
 *
 * Inputs are host float arrays. Maps are clipped at the 99th percentile of |map| so a few
 * outliers do not wash the rest out; non-finite map values count as 0 for the clipping and are
 * drawn in a neutral grey. Maps are upscaled by an integer factor with nearest-neighbour
 * sampling, so 28x28 images stay crisp. Every PNG is written with libpng to a temporary file
 * that is fsync'd and renamed (host/core/fileio.h): nothing half-written is ever left. Text
 * (labels, titles, legend numbers) needs cairo in the build (sc_plot_available()). */
#ifndef SC_HEATMAP_H
#define SC_HEATMAP_H

#include <stdint.h>

#include "host/core/status.h"

/* An output image may be at most this many pixels a side. */
#define SC_HEATMAP_MAX_SIDE 8192

typedef enum sc_colormap { SC_CMAP_INFERNO = 0, SC_CMAP_DIVERGING } sc_colormap;

/* The 8-bit sRGB colour of t in [0,1] (clamped; NaN gives the neutral grey). Inferno is
 * matplotlib's 256-entry table, linearly interpolated; diverging runs blue (0), white (0.5),
 * red (1), interpolated in CIELAB between ColorBrewer RdBu's darkest blue and red. */
void sc_colormap_rgb(sc_colormap cmap, float t, uint8_t rgb[3]);

/* The clipping scale of a map of h*w values: the 99th percentile of |map| (the value at rank
 * floor(0.99 * (n - 1)) of the sorted |map|, never interpolated towards an outlier), or the
 * largest |map| when that percentile is 0 (a sparse map). Non-finite values count as 0; an
 * all-zero map gives 0. */
float sc_map_clip_scale(const float *map, int h, int w);

typedef struct sc_heatmap_style {
    int signed_map; /* 0: |map| / clip through inferno; 1: map / clip in [-1,1] -> diverging */
    int scale;      /* integer nearest-neighbour upscale, >= 1 */
    float alpha;    /* opacity of the map over the image in overlays, in [0,1], e.g. 0.5 */
} sc_heatmap_style;

/* The map alone as an RGB PNG of (h*scale, w*scale) pixels. */
sc_status sc_heatmap_png(const char *path, const float *map, int h, int w,
                         const sc_heatmap_style *s, sc_error *err);

/* The map blended over the image: (1 - alpha) * image + alpha * colour, per pixel. The image is
 * (c, h, w) in pixel units [0,1] (clamped; NaN as 0), c = 1 (grey) or 3 (RGB). */
sc_status sc_heatmap_overlay_png(const char *path, const float *image, int c, const float *map,
                                 int h, int w, const sc_heatmap_style *s, sc_error *err);

/* A grid: one row per image; columns are the image, then one overlay per map set (e.g. one per
 * checkpoint: "standard", "scaat"); row labels (class names), column titles and a colour-bar
 * legend on the right. Each map is clipped at its own 99th percentile, so the legend reads
 * 0 .. p99 (|map|) or -p99 .. +p99 (signed maps). */
typedef struct sc_heatmap_grid {
    int rows, map_sets, c, h, w;
    const float *images;           /* (rows, c, h, w) pixel units */
    const float *const *maps;      /* [map_sets] each (rows, h, w) */
    const char *const *row_labels; /* [rows], may be NULL (no label column) */
    const char *const *set_titles; /* [map_sets], may be NULL ("maps 1", "maps 2", ...) */
    sc_heatmap_style style;
} sc_heatmap_grid;

/* Writes the grid. *wrote_text (may be NULL) is 1 when labels, titles and legend numbers were
 * drawn, 0 when the build has no cairo: the grid then has the images, overlays and colour bar
 * only, and the caller prints a one-line note saying so (e.g. with sc_explain_render_info()). */
sc_status sc_heatmap_grid_png(const char *path, const sc_heatmap_grid *g, int *wrote_text,
                              sc_error *err);

/* What this build renders text and plots with, for `scaat info`: e.g. "cairo 1.16.0 (text and
 * plots)" or "none (grids without text, no PNG plots)". */
const char *sc_explain_render_info(void);

#endif
