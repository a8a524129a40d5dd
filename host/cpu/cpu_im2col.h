/* im2col / col2im for one image: the lowering that turns a convolution into one GEMM.
 * Column row (c, r, s) holds, for every output position (oh, ow), the input pixel
 * x[c][oh * stride - pad + r][ow * stride - pad + s] (0 where that falls in the padding). */
#ifndef SC_CPU_IM2COL_H
#define SC_CPU_IM2COL_H

/* Geometry of one convolution, per image. */
typedef struct sc_conv_geom {
    int channels, height, width;        /* input (C, H, W) */
    int kernel_h, kernel_w;             /* (R, S) */
    int stride, pad;
    int out_height, out_width;          /* (OH, OW) */
} sc_conv_geom;

/* x (C, H, W) -> columns (C * R * S, OH * OW). */
void sc_cpu_im2col(const sc_conv_geom *g, const float *x, float *columns);

/* dx (C, H, W) += the columns (C * R * S, OH * OW) scattered back to their input pixels.
 * The columns are scratch: entries that belong to padding may be cleared. */
void sc_cpu_col2im_add(const sc_conv_geom *g, float *columns, float *dx);

#endif
