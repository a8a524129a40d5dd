/* im2col / col2im for one image (see cpu_im2col.h). Each output row is split into the part
 * that reads padding (zeros) and the part that reads the image, so the inner loops have no
 * bounds tests and stride-1 rows are straight copies. */
#include "cpu_im2col.h"

#include <string.h>

/* Output columns [*lo, *hi) whose input column ow * stride - pad + s lies inside [0, width). */
static void valid_out_range(const sc_conv_geom *g, int s, int *lo, int *hi) {
    int first = g->pad - s; /* ow * stride >= first */
    int last = g->width - 1 + g->pad - s; /* ow * stride <= last */
    *lo = first <= 0 ? 0 : (first + g->stride - 1) / g->stride;
    *hi = last < 0 ? 0 : last / g->stride + 1;
    if (*hi > g->out_width)
        *hi = g->out_width;
    if (*lo > *hi)
        *lo = *hi;
}

void sc_cpu_im2col(const sc_conv_geom *g, const float *x, float *columns) {
    const int out_w = g->out_width;
    const int plane = g->out_height * out_w;
    for (int c = 0; c < g->channels; c++) {
        const float *x_c = x + (size_t)c * g->height * g->width; /* (H, W) */
        for (int r = 0; r < g->kernel_h; r++) {
            for (int s = 0; s < g->kernel_w; s++) {
                float *col = columns + ((size_t)(c * g->kernel_h + r) * g->kernel_w + s) * plane;
                int lo, hi;
                valid_out_range(g, s, &lo, &hi);
                int in_col0 = lo * g->stride - g->pad + s;
                for (int oh = 0; oh < g->out_height; oh++) {
                    float *dst = col + (size_t)oh * out_w; /* (OW) */
                    int ih = oh * g->stride - g->pad + r;
                    if (ih < 0 || ih >= g->height) {
                        memset(dst, 0, (size_t)out_w * sizeof(float));
                        continue;
                    }
                    for (int ow = 0; ow < lo; ow++)
                        dst[ow] = 0.0f;
                    if (hi > lo) {
                        const float *src = x_c + (size_t)ih * g->width + in_col0;
                        if (g->stride == 1) {
                            memcpy(dst + lo, src, (size_t)(hi - lo) * sizeof(float));
                        } else {
                            for (int ow = lo; ow < hi; ow++)
                                dst[ow] = src[(ow - lo) * g->stride];
                        }
                    }
                    for (int ow = hi; ow < out_w; ow++)
                        dst[ow] = 0.0f;
                }
            }
        }
    }
}

void sc_cpu_col2im_add(const sc_conv_geom *g, const float *columns, float *dx) {
    const int out_w = g->out_width;
    const int plane = g->out_height * out_w;
    for (int c = 0; c < g->channels; c++) {
        float *dx_c = dx + (size_t)c * g->height * g->width; /* (H, W) */
        for (int r = 0; r < g->kernel_h; r++) {
            for (int s = 0; s < g->kernel_w; s++) {
                const float *col =
                    columns + ((size_t)(c * g->kernel_h + r) * g->kernel_w + s) * plane;
                int lo, hi;
                valid_out_range(g, s, &lo, &hi);
                int in_col0 = lo * g->stride - g->pad + s;
                for (int oh = 0; oh < g->out_height; oh++) {
                    int ih = oh * g->stride - g->pad + r;
                    if (ih < 0 || ih >= g->height || hi == lo)
                        continue;
                    const float *src = col + (size_t)oh * out_w; /* (OW) */
                    float *dst = dx_c + (size_t)ih * g->width + in_col0;
                    if (g->stride == 1) {
                        for (int ow = lo; ow < hi; ow++)
                            dst[ow - lo] += src[ow];
                    } else {
                        for (int ow = lo; ow < hi; ow++)
                            dst[(ow - lo) * g->stride] += src[ow];
                    }
                }
            }
        }
    }
}
