/* One heatmap PNG: a map alone, or blended over its image (see heatmap.h). */
#include <stdlib.h>

#include "heatmap.h"
#include "heatmap_render.h"
#include "png_write.h"

/* the map's colours, blended over the image when there is one, upscaled and written */
static sc_status write_map(const char *path, const float *image, int c, const float *map, int h,
                           int w, const sc_heatmap_style *s, sc_error *err) {
    size_t n = (size_t)h * (size_t)w;
    int out_w = w * s->scale, out_h = h * s->scale;
    uint8_t *colors = malloc(n * 3);
    uint8_t *image_rgb = image ? malloc(n * 3) : NULL;
    uint8_t *canvas = malloc((size_t)out_w * (size_t)out_h * 3);
    sc_status st;
    if (!colors || !canvas || (image && !image_rgb)) {
        st = sc_fail(err, SC_ERR_OOM, "cannot write %s: out of memory for a %dx%d image", path,
                     out_w, out_h);
    } else {
        sc_heatmap_colors(map, h, w, s->signed_map, colors);
        if (image) {
            sc_heatmap_image_rgb(image, c, h, w, image_rgb);
            sc_heatmap_blend(image_rgb, colors, n, s->alpha);
        }
        sc_heatmap_blit(canvas, out_w, 0, 0, colors, h, w, s->scale);
        st = sc_png_write_rgb(path, canvas, out_w, out_h, err);
    }
    free(colors);
    free(image_rgb);
    free(canvas);
    return st;
}

sc_status sc_heatmap_png(const char *path, const float *map, int h, int w,
                         const sc_heatmap_style *s, sc_error *err) {
    if (!path || !map)
        return sc_fail(err, SC_ERR_USAGE, "heatmap: no %s given", path ? "map" : "output path");
    SC_TRY(sc_heatmap_check(path, h, w, s, err));
    return write_map(path, NULL, 0, map, h, w, s, err);
}

sc_status sc_heatmap_overlay_png(const char *path, const float *image, int c, const float *map,
                                 int h, int w, const sc_heatmap_style *s, sc_error *err) {
    if (!path || !map || !image)
        return sc_fail(err, SC_ERR_USAGE, "heatmap overlay: no %s given",
                       !path  ? "output path"
                       : !map ? "map"
                              : "image");
    if (c != 1 && c != 3)
        return sc_fail(err, SC_ERR_USAGE,
                       "cannot write %s: the image has %d channels, expected 1 (grey) or 3 (RGB)",
                       path, c);
    SC_TRY(sc_heatmap_check(path, h, w, s, err));
    return write_map(path, image, c, map, h, w, s, err);
}
