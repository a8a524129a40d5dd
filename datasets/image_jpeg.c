/* JPEG decoding through libjpeg-turbo's libjpeg API, from memory, thread-safe: errors longjmp
 * back here instead of exit(), warnings are silenced except a premature end of data (a
 * truncated file), which is an error. Large images can be decoded DCT-scaled by n/8. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "image_decoders.h"

typedef struct jpeg_error_state {
    struct jpeg_error_mgr mgr; /* first member: libjpeg hands back a pointer to it */
    jmp_buf jump;
    int truncated; /* saw "premature end of JPEG file" */
    char message[JMSG_LENGTH_MAX];
} jpeg_error_state;

static void jpeg_error_exit_jump(j_common_ptr cinfo) {
    jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, state->message);
    longjmp(state->jump, 1);
}

static void jpeg_emit_quietly(j_common_ptr cinfo, int msg_level) {
    jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
    if (msg_level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF)
        state->truncated = 1;
}

static void jpeg_install_errors(struct jpeg_decompress_struct *cinfo, jpeg_error_state *state) {
    cinfo->err = jpeg_std_error(&state->mgr);
    state->mgr.error_exit = jpeg_error_exit_jump;
    state->mgr.emit_message = jpeg_emit_quietly;
    state->truncated = 0;
    state->message[0] = '\0';
}

sc_status sc_jpeg_probe(const uint8_t *data, size_t bytes, const char *name, int *height,
                        int *width, sc_error *err) {
    struct jpeg_decompress_struct cinfo;
    jpeg_error_state state;
    jpeg_install_errors(&cinfo, &state);
    if (setjmp(state.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return sc_fail(err, SC_ERR_FORMAT, "%s: corrupt JPEG header: %s", name, state.message);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)bytes);
    jpeg_read_header(&cinfo, TRUE);
    *height = (int)cinfo.image_height;
    *width = (int)cinfo.image_width;
    jpeg_destroy_decompress(&cinfo);
    if (*height <= 0 || *width <= 0)
        return sc_fail(err, SC_ERR_FORMAT, "%s: JPEG header gives an empty image", name);
    return SC_OK;
}

/* Smallest n in 1..8 with ceil(full * n / 8) >= wanted on both sides (8 = full size). */
static unsigned jpeg_scale_numerator(unsigned full_w, unsigned full_h, int min_w, int min_h) {
    for (unsigned n = 1; n < 8; n++) {
        unsigned w = (full_w * n + 7) / 8, h = (full_h * n + 7) / 8;
        if ((int)w >= min_w && (int)h >= min_h)
            return n;
    }
    return 8;
}

sc_status sc_jpeg_decode(const uint8_t *data, size_t bytes, const sc_decode_request *req,
                         sc_image *out, sc_error *err) {
    struct jpeg_decompress_struct cinfo;
    jpeg_error_state state;
    jpeg_install_errors(&cinfo, &state);
    if (setjmp(state.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return sc_fail(err, SC_ERR_FORMAT, "%s: corrupt JPEG data: %s", req->name, state.message);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)bytes);
    jpeg_read_header(&cinfo, TRUE);
    sc_status st = sc_image_check_size(req, "JPEG", cinfo.image_height, cinfo.image_width, err);
    if (st != SC_OK) {
        jpeg_destroy_decompress(&cinfo);
        return st;
    }
    /* Colour asked for as grey is decoded to RGB and converted with Pillow's weights (its
       luma Y would differ from Pillow's L by up to 3 levels). */
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cmyk)
        cinfo.out_color_space = JCS_CMYK;
    else if (req->channels == 1 && cinfo.jpeg_color_space == JCS_GRAYSCALE)
        cinfo.out_color_space = JCS_GRAYSCALE;
    else
        cinfo.out_color_space = JCS_RGB;
    if (req->min_width > 0 || req->min_height > 0) {
        cinfo.scale_num = jpeg_scale_numerator(cinfo.image_width, cinfo.image_height,
                                               req->min_width, req->min_height);
        cinfo.scale_denom = 8;
    }
    jpeg_start_decompress(&cinfo);
    int height = (int)cinfo.output_height, width = (int)cinfo.output_width;
    int decoded_channels = cinfo.output_components;
    /* Room for the decoded rows; CMYK is converted in place afterwards (see image_convert.c). */
    st = sc_image_reserve(out, height, width, decoded_channels, err);
    if (st != SC_OK) {
        jpeg_destroy_decompress(&cinfo);
        return st;
    }
    size_t stride = (size_t)width * (size_t)decoded_channels;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out->pixels + (size_t)cinfo.output_scanline * stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    int inverted = cinfo.saw_Adobe_marker;
    if (state.truncated) {
        jpeg_destroy_decompress(&cinfo);
        return sc_fail(err, SC_ERR_FORMAT, "%s: truncated JPEG (data ends before the image does)", req->name);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (state.truncated)
        return sc_fail(err, SC_ERR_FORMAT, "%s: truncated JPEG (data ends before the image does)", req->name);
    if (decoded_channels != req->channels) { /* CMYK or RGB to fewer channels, in place */
        for (int y = 0; y < height; y++) {
            uint8_t *src = out->pixels + (size_t)y * stride;
            uint8_t *dst = out->pixels + (size_t)y * (size_t)width * (size_t)req->channels;
            if (cmyk)
                sc_convert_cmyk_row(src, inverted, width, req->channels, dst);
            else
                sc_convert_row(src, decoded_channels, width, req->channels, dst);
        }
        out->channels = req->channels;
    }
    return SC_OK;
}
