/* im2col / col2im for one image (see cpu_im2col.h). Each column row is split into the parts
 * that read padding (zeros) and the part that reads the image, so the inner loops have no
 * bounds tests and stride-1 rows are straight copies the compiler vectorises. */
#include "cpu_im2col.h"

#include <stddef.h>

/* Output positions [*lo, *hi) along one axis whose input index pos * stride - pad + offset
 * lies inside [0, size). */
static void valid_range(int size, int out_size, int stride, int pad, int offset, int *lo,
                        int *hi) {
    int first = pad - offset;        /* pos * stride >= first */
    int last = size - 1 + pad - offset; /* pos * stride <= last */
    *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
    *hi = last < 0 ? 0 : last / stride + 1;
    if (*hi > out_size)
        *hi = out_size;
    if (*lo > *hi)
        *lo = *hi;
}

/* Zeroes columns [0, lo) and [hi, width) of rows [oh_lo, oh_hi) of a (OH, width) block.
 * Column by column: these are a pad's worth of columns, and row-wise loops of one or two
 * elements would each become a memset call. */
static void clear_padding_columns(float *block, int width, int oh_lo, int oh_hi, int lo, int hi) {
    for (int ow = 0; ow < lo; ow++)
        for (int oh = oh_lo; oh < oh_hi; oh++)
            block[(size_t)oh * width + ow] = 0.0f;
    for (int ow = hi; ow < width; ow++)
        for (int oh = oh_lo; oh < oh_hi; oh++)
            block[(size_t)oh * width + ow] = 0.0f;
}

/* Stride 1 with the output as wide as the input: consecutive output pixels of the block read
 * consecutive input pixels, so the whole valid part is one straight copy; the values it wraps
 * in from neighbouring rows where the tap reads padding are then cleared. */
static void im2col_row_contiguous(const sc_conv_geom *g, const float *x_c, int r, int s,
                                  float *restrict block) {
    const int width = g->width;
    int oh_lo, oh_hi, lo, hi;
    valid_range(g->height, g->out_height, 1, g->pad, r, &oh_lo, &oh_hi);
    valid_range(width, width, 1, g->pad, s, &lo, &hi);
    for (int i = 0; i < oh_lo * width; i++)
        block[i] = 0.0f;
    if (oh_hi > oh_lo && hi > lo) {
        const int begin = oh_lo * width + lo, end = (oh_hi - 1) * width + hi;
        const float *restrict src = x_c + (size_t)(oh_lo - g->pad + r) * width + (lo - g->pad + s);
        for (int i = begin; i < end; i++)
            block[i] = src[i - begin];
        clear_padding_columns(block, width, oh_lo, oh_hi, lo, hi);
    } else {
        for (int i = oh_lo * width; i < oh_hi * width; i++)
            block[i] = 0.0f;
    }
    for (int i = oh_hi * width; i < g->out_height * width; i++)
        block[i] = 0.0f;
}

/* One column row (c, r, s): the (OH, OW) block of input pixels that kernel tap (r, s) sees. */
static void im2col_row(const sc_conv_geom *g, const float *x_c, int r, int s,
                       float *restrict block) {
    const int out_w = g->out_width, stride = g->stride;
    int oh_lo, oh_hi, lo, hi;
    valid_range(g->height, g->out_height, stride, g->pad, r, &oh_lo, &oh_hi);
    valid_range(g->width, out_w, stride, g->pad, s, &lo, &hi);
    for (int i = 0; i < oh_lo * out_w; i++)
        block[i] = 0.0f;
    for (int oh = oh_lo; oh < oh_hi; oh++) {
        float *restrict dst = block + (size_t)oh * out_w; /* (OW) */
        const float *restrict src =
            x_c + (size_t)(oh * stride - g->pad + r) * g->width + (lo * stride - g->pad + s);
        for (int ow = 0; ow < lo; ow++)
            dst[ow] = 0.0f;
        if (stride == 1) {
            for (int ow = lo; ow < hi; ow++)
                dst[ow] = src[ow - lo];
        } else {
            for (int ow = lo; ow < hi; ow++)
                dst[ow] = src[(ow - lo) * stride];
        }
        for (int ow = hi; ow < out_w; ow++)
            dst[ow] = 0.0f;
    }
    for (int i = oh_hi * out_w; i < g->out_height * out_w; i++)
        block[i] = 0.0f;
}

static int is_contiguous(const sc_conv_geom *g) {
    return g->stride == 1 && g->out_width == g->width;
}

void sc_cpu_im2col(const sc_conv_geom *g, const float *x, float *columns) {
    const size_t plane = (size_t)g->out_height * g->out_width;
    const int contiguous = is_contiguous(g);
    for (int c = 0; c < g->channels; c++) {
        const float *x_c = x + (size_t)c * g->height * g->width; /* (H, W) */
        for (int r = 0; r < g->kernel_h; r++)
            for (int s = 0; s < g->kernel_w; s++) {
                float *block = columns + ((size_t)(c * g->kernel_h + r) * g->kernel_w + s) * plane;
                if (contiguous)
                    im2col_row_contiguous(g, x_c, r, s, block);
                else
                    im2col_row(g, x_c, r, s, block);
            }
    }
}

/* The contiguous case of col2im_row_add (see im2col_row_contiguous): the block's entries
 * that belong to padding are cleared first, then the whole valid part is one straight add
 * (the cleared entries add 0 to the neighbouring row's pixels they wrap onto). */
static void col2im_row_add_contiguous(const sc_conv_geom *g, float *restrict block, int r, int s,
                                      float *restrict dx_c) {
    const int width = g->width;
    int oh_lo, oh_hi, lo, hi;
    valid_range(g->height, g->out_height, 1, g->pad, r, &oh_lo, &oh_hi);
    valid_range(width, width, 1, g->pad, s, &lo, &hi);
    if (oh_hi <= oh_lo || hi <= lo)
        return;
    clear_padding_columns(block, width, oh_lo, oh_hi, lo, hi);
    const int begin = oh_lo * width + lo, end = (oh_hi - 1) * width + hi;
    float *restrict dst = dx_c + (size_t)(oh_lo - g->pad + r) * width + (lo - g->pad + s);
    for (int i = begin; i < end; i++)
        dst[i - begin] += block[i];
}

/* dx_c (H, W) += one column row (c, r, s) scattered back to the pixels tap (r, s) saw. */
static void col2im_row_add(const sc_conv_geom *g, const float *restrict block, int r, int s,
                           float *restrict dx_c) {
    const int out_w = g->out_width, stride = g->stride;
    int oh_lo, oh_hi, lo, hi;
    valid_range(g->height, g->out_height, stride, g->pad, r, &oh_lo, &oh_hi);
    valid_range(g->width, out_w, stride, g->pad, s, &lo, &hi);
    for (int oh = oh_lo; oh < oh_hi; oh++) {
        const float *src = block + (size_t)oh * out_w; /* (OW) */
        float *dst =
            dx_c + (size_t)(oh * stride - g->pad + r) * g->width + (lo * stride - g->pad + s);
        if (stride == 1) {
            for (int ow = lo; ow < hi; ow++)
                dst[ow - lo] += src[ow];
        } else {
            for (int ow = lo; ow < hi; ow++)
                dst[(ow - lo) * stride] += src[ow];
        }
    }
}

void sc_cpu_col2im_add(const sc_conv_geom *g, float *columns, float *dx) {
    const size_t plane = (size_t)g->out_height * g->out_width;
    const int contiguous = is_contiguous(g);
    for (int c = 0; c < g->channels; c++) {
        float *dx_c = dx + (size_t)c * g->height * g->width; /* (H, W) */
        for (int r = 0; r < g->kernel_h; r++)
            for (int s = 0; s < g->kernel_w; s++) {
                float *block = columns + ((size_t)(c * g->kernel_h + r) * g->kernel_w + s) * plane;
                if (contiguous)
                    col2im_row_add_contiguous(g, block, r, s, dx_c);
                else
                    col2im_row_add(g, block, r, s, dx_c);
            }
    }
}
