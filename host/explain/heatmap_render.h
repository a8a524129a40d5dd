/* Pixel work shared by the heatmap writers (heatmap.c, heatmap_grid.c): a map through its
 * colormap, an image as RGB, the alpha blend, nearest-neighbour upscaling onto a canvas, and
 * the checks of a style. Internal to host/explain. */
#ifndef SC_HEATMAP_RENDER_H
#define SC_HEATMAP_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "heatmap.h"

/* SC_ERR_USAGE naming path and the problem unless h, w >= 1, 1 <= scale, h*scale and w*scale
 * at most SC_HEATMAP_MAX_SIDE and alpha in [0,1]. */
sc_status sc_heatmap_check(const char *path, int h, int w, const sc_heatmap_style *s,
                           sc_error *err);

/* (h*w*3) colours of a map clipped at its sc_map_clip_scale: inferno of |v|/clip, or the
 * diverging map of 0.5 + 0.5 * v/clip when signed_map; non-finite values in neutral grey. */
void sc_heatmap_colors(const float *map, int h, int w, int signed_map, uint8_t *rgb);

/* (h*w*3) colours of a (c, h, w) image in [0,1] (clamped, NaN as 0); c = 1 is grey. */
void sc_heatmap_image_rgb(const float *image, int c, int h, int w, uint8_t *rgb);

/* map_rgb = (1 - alpha) * image_rgb + alpha * map_rgb, n pixels, rounded to nearest. */
void sc_heatmap_blend(const uint8_t *image_rgb, uint8_t *map_rgb, size_t n, float alpha);

/* Draw the (h, w) colours of src, each pixel as a scale x scale block, with the top-left
 * corner at (x0, y0) of a canvas that is canvas_w pixels wide (3 bytes a pixel). */
void sc_heatmap_blit(uint8_t *canvas, int canvas_w, int x0, int y0, const uint8_t *src, int h,
                     int w, int scale);

#endif
