/* Pixel work shared by the heatmap writers (see heatmap_render.h). */
#include "heatmap_render.h"

#include <math.h>
#include <string.h>

sc_status sc_heatmap_check(const char *path, int h, int w, const sc_heatmap_style *s,
                           sc_error *err) {
    if (!s)
        return sc_fail(err, SC_ERR_USAGE, "cannot write %s: no heatmap style given", path);
    if (h < 1 || w < 1)
        return sc_fail(err, SC_ERR_USAGE,
                       "cannot write %s: the map is %dx%d, expected at least 1x1", path, h, w);
    if (s->scale < 1)
        return sc_fail(err, SC_ERR_USAGE, "cannot write %s: scale %d, expected an integer >= 1",
                       path, s->scale);
    if ((int64_t)h * s->scale > SC_HEATMAP_MAX_SIDE || (int64_t)w * s->scale > SC_HEATMAP_MAX_SIDE)
        return sc_fail(err, SC_ERR_USAGE,
                       "cannot write %s: a %dx%d map at scale %d is more than %d pixels a side",
                       path, h, w, s->scale, SC_HEATMAP_MAX_SIDE);
    if (!(s->alpha >= 0.0f && s->alpha <= 1.0f))
        return sc_fail(err, SC_ERR_USAGE, "cannot write %s: overlay alpha %g, expected 0 to 1",
                       path, (double)s->alpha);
    return SC_OK;
}

void sc_heatmap_colors(const float *map, int h, int w, int signed_map, uint8_t *rgb) {
    size_t n = (size_t)h * (size_t)w;
    float clip = sc_map_clip_scale(map, h, w);
    for (size_t i = 0; i < n; i++) {
        float v = map[i];
        float r = !isfinite(v) ? NAN : clip > 0.0f ? v / clip : 0.0f;
        if (signed_map)
            sc_colormap_rgb(SC_CMAP_DIVERGING, 0.5f + 0.5f * r, rgb + 3 * i);
        else
            sc_colormap_rgb(SC_CMAP_INFERNO, fabsf(r), rgb + 3 * i);
    }
}

static uint8_t unit_to_byte(float v) {
    if (!(v > 0.0f))
        return 0;
    return v >= 1.0f ? 255 : (uint8_t)lrintf(v * 255.0f);
}

void sc_heatmap_image_rgb(const float *image, int c, int h, int w, uint8_t *rgb) {
    size_t plane = (size_t)h * (size_t)w;
    for (size_t i = 0; i < plane; i++)
        for (int k = 0; k < 3; k++)
            rgb[3 * i + k] = unit_to_byte(image[(c == 3 ? (size_t)k * plane : 0) + i]);
}

void sc_heatmap_blend(const uint8_t *image_rgb, uint8_t *map_rgb, size_t n, float alpha) {
    for (size_t i = 0; i < 3 * n; i++)
        map_rgb[i] = (uint8_t)lrintf((1.0f - alpha) * image_rgb[i] + alpha * map_rgb[i]);
}

void sc_heatmap_blit(uint8_t *canvas, int canvas_w, int x0, int y0, const uint8_t *src, int h,
                     int w, int scale) {
    for (int y = 0; y < h * scale; y++) {
        uint8_t *row = canvas + ((size_t)(y0 + y) * (size_t)canvas_w + (size_t)x0) * 3;
        const uint8_t *src_row = src + (size_t)(y / scale) * (size_t)w * 3;
        for (int x = 0; x < w * scale; x++)
            memcpy(row + 3 * x, src_row + 3 * (x / scale), 3);
    }
}
