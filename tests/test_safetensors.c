/* safetensors files: round trips with byte-exact data, the written bytes checked against the
 * format (and against a file written by the reference implementation), one test per malformed
 * file. Atomic writes are tested in test_fileio.c. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/fileio.h"
#include "host/core/json.h"
#include "host/core/safetensors.h"
#include "tests/common/test_util.h"
#include "tests/common/check_run.h"

/* Written by the reference implementation (safetensors 0.8.0, Python):
 *   save_file({"fc.weight": torch.arange(6.).reshape(2, 3) * 0.5 - 1,
 *              "fc.bias": torch.tensor([0.25, -3.0]),
 *              "step": torch.tensor(1234567890123),
 *              "mask": torch.tensor([1, 0, 255], dtype=torch.uint8),
 *              "half": torch.tensor([1.5, -2.0], dtype=torch.bfloat16)},
 *             path, metadata={"format": "pt", "note": "caf\u00e9 \"q\""})
 * It stores tensors sorted by dtype alignment, then name: step, fc.bias, fc.weight, half, mask. */
static const unsigned char REFERENCE_FILE[] = {
    0x60, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7b, 0x22, 0x5f, 0x5f, 0x6d, 0x65, 0x74, 0x61,
    0x64, 0x61, 0x74, 0x61, 0x5f, 0x5f, 0x22, 0x3a, 0x7b, 0x22, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74,
    0x22, 0x3a, 0x22, 0x70, 0x74, 0x22, 0x2c, 0x22, 0x6e, 0x6f, 0x74, 0x65, 0x22, 0x3a, 0x22, 0x63,
    0x61, 0x66, 0xc3, 0xa9, 0x20, 0x5c, 0x22, 0x71, 0x5c, 0x22, 0x22, 0x7d, 0x2c, 0x22, 0x73, 0x74,
    0x65, 0x70, 0x22, 0x3a, 0x7b, 0x22, 0x64, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0x49, 0x36,
    0x34, 0x22, 0x2c, 0x22, 0x73, 0x68, 0x61, 0x70, 0x65, 0x22, 0x3a, 0x5b, 0x5d, 0x2c, 0x22, 0x64,
    0x61, 0x74, 0x61, 0x5f, 0x6f, 0x66, 0x66, 0x73, 0x65, 0x74, 0x73, 0x22, 0x3a, 0x5b, 0x30, 0x2c,
    0x38, 0x5d, 0x7d, 0x2c, 0x22, 0x66, 0x63, 0x2e, 0x62, 0x69, 0x61, 0x73, 0x22, 0x3a, 0x7b, 0x22,
    0x64, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0x46, 0x33, 0x32, 0x22, 0x2c, 0x22, 0x73, 0x68,
    0x61, 0x70, 0x65, 0x22, 0x3a, 0x5b, 0x32, 0x5d, 0x2c, 0x22, 0x64, 0x61, 0x74, 0x61, 0x5f, 0x6f,
    0x66, 0x66, 0x73, 0x65, 0x74, 0x73, 0x22, 0x3a, 0x5b, 0x38, 0x2c, 0x31, 0x36, 0x5d, 0x7d, 0x2c,
    0x22, 0x66, 0x63, 0x2e, 0x77, 0x65, 0x69, 0x67, 0x68, 0x74, 0x22, 0x3a, 0x7b, 0x22, 0x64, 0x74,
    0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0x46, 0x33, 0x32, 0x22, 0x2c, 0x22, 0x73, 0x68, 0x61, 0x70,
    0x65, 0x22, 0x3a, 0x5b, 0x32, 0x2c, 0x33, 0x5d, 0x2c, 0x22, 0x64, 0x61, 0x74, 0x61, 0x5f, 0x6f,
    0x66, 0x66, 0x73, 0x65, 0x74, 0x73, 0x22, 0x3a, 0x5b, 0x31, 0x36, 0x2c, 0x34, 0x30, 0x5d, 0x7d,
    0x2c, 0x22, 0x68, 0x61, 0x6c, 0x66, 0x22, 0x3a, 0x7b, 0x22, 0x64, 0x74, 0x79, 0x70, 0x65, 0x22,
    0x3a, 0x22, 0x42, 0x46, 0x31, 0x36, 0x22, 0x2c, 0x22, 0x73, 0x68, 0x61, 0x70, 0x65, 0x22, 0x3a,
    0x5b, 0x32, 0x5d, 0x2c, 0x22, 0x64, 0x61, 0x74, 0x61, 0x5f, 0x6f, 0x66, 0x66, 0x73, 0x65, 0x74,
    0x73, 0x22, 0x3a, 0x5b, 0x34, 0x30, 0x2c, 0x34, 0x34, 0x5d, 0x7d, 0x2c, 0x22, 0x6d, 0x61, 0x73,
    0x6b, 0x22, 0x3a, 0x7b, 0x22, 0x64, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0x55, 0x38, 0x22,
    0x2c, 0x22, 0x73, 0x68, 0x61, 0x70, 0x65, 0x22, 0x3a, 0x5b, 0x33, 0x5d, 0x2c, 0x22, 0x64, 0x61,
    0x74, 0x61, 0x5f, 0x6f, 0x66, 0x66, 0x73, 0x65, 0x74, 0x73, 0x22, 0x3a, 0x5b, 0x34, 0x34, 0x2c,
    0x34, 0x37, 0x5d, 0x7d, 0x7d, 0x20, 0x20, 0x20, 0xcb, 0x04, 0xfb, 0x71, 0x1f, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x80, 0x3e, 0x00, 0x00, 0x40, 0xc0, 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0xbf,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0xc0, 0x3f,
    0xc0, 0x3f, 0x00, 0xc0, 0x01, 0x00, 0xff,
};

static const float REF_FC_WEIGHT[6] = {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f};
static const float REF_FC_BIAS[2] = {0.25f, -3.0f};
static const int64_t REF_STEP = 1234567890123LL;
static const uint8_t REF_MASK[3] = {1, 0, 255};
static const uint16_t REF_HALF[2] = {0x3FC0, 0xC000}; /* bf16 of 1.5 and -2.0 */
static const char REF_NOTE[] = "caf\xc3\xa9 \"q\"";

/* ---- helpers -------------------------------------------------------------------------------- */

static uint64_t read_le_u64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

/* a file of: 8-byte length of header, header, data_len bytes 0, 1, 2, ... */
static unsigned char *build_file(const char *header, size_t data_len, size_t *size) {
    size_t n = strlen(header);
    *size = 8 + n + data_len;
    unsigned char *b = malloc(*size);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(b + 8, header, n);
    for (size_t i = 0; i < data_len; i++)
        b[8 + n + i] = (unsigned char)i;
    return b;
}

/* ---- round trips ---------------------------------------------------------------------------- */

START_TEST(test_round_trip) {
    char dir[256], path[512], names[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("safetensors", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/ckpt.safetensors", dir);

    float weight[2 * 3]; // (2, 3)
    sc_test_fill_uniform(weight, 6, 7, -1.0f, 1.0f);
    int64_t step = -9007199254740993LL;        // () scalar
    uint8_t mask[5] = {0, 1, 2, 254, 255};     // (5,) odd length: later tensors are unaligned
    uint16_t bf16[3] = {0x3F80, 0x8000, 0x7FC0}; // (3,)
    double f64[2] = {0.1, -1e300};             // (2,)
    int32_t labels[4] = {3, -1, 0, 2147483647}; // (4,) through an sc_tensor

    sc_st_writer w;
    sc_st_writer_init(&w);
    sc_error err = {0};
    const int64_t s_weight[2] = {2, 3}, s_mask[1] = {5}, s_bf16[1] = {3}, s_empty[2] = {0, 4},
                  s_f64[1] = {2};
    ck_assert_int_eq(sc_st_writer_add(&w, "fc.weight", SC_ST_F32, 2, s_weight, weight, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "step", SC_ST_I64, 0, NULL, &step, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "mask", SC_ST_U8, 1, s_mask, mask, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "h", SC_ST_BF16, 1, s_bf16, bf16, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "empty", SC_ST_F32, 2, s_empty, NULL, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "f64", SC_ST_F64, 1, s_f64, f64, &err), SC_OK);
    sc_tensor t = sc_tensor_1d(labels, SC_I32, 4);
    ck_assert_int_eq(sc_st_writer_add_tensor(&w, "labels", &t, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_set_metadata(&w, "format", "pt", &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_set_metadata(&w, "epoch", "3", &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_set_metadata(&w, "note", "quote \" newline \n caf\xc3\xa9", &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_set_metadata(&w, "epoch", "4", &err), SC_OK); /* replaces */
    ck_assert_msg(sc_st_writer_write(&w, path, &err) == SC_OK, "%s", err.msg);
    sc_st_writer_free(&w);

    ck_assert_int_eq(sc_test_dir_entries(dir, names, sizeof names), 1); /* no temporary file left */
    ck_assert_str_eq(names, "ckpt.safetensors ");

    sc_st_file f;
    ck_assert_msg(sc_st_open(&f, path, &err) == SC_OK, "%s", err.msg);
    ck_assert_uint_eq(f.count, 7);
    const char *order[7] = {"fc.weight", "step", "mask", "h", "empty", "f64", "labels"};
    for (int i = 0; i < 7; i++) {
        ck_assert_str_eq(f.entries[i].name, order[i]); /* the order added */
        ck_assert_ptr_eq(sc_st_find(&f, order[i]), &f.entries[i]);
    }
    ck_assert_ptr_null(sc_st_find(&f, "fc.bias"));
    ck_assert_ptr_null(sc_st_find(&f, "__metadata__"));

    const sc_st_entry *e = sc_st_find(&f, "fc.weight");
    ck_assert_int_eq(e->dtype, SC_ST_F32);
    ck_assert_int_eq(e->ndim, 2);
    ck_assert_int_eq(e->shape[0], 2);
    ck_assert_int_eq(e->shape[1], 3);
    ck_assert_int_eq(e->numel, 6);
    ck_assert_uint_eq(e->nbytes, sizeof weight);
    ck_assert(memcmp(e->data, weight, sizeof weight) == 0);

    e = sc_st_find(&f, "step");
    ck_assert_int_eq(e->dtype, SC_ST_I64);
    ck_assert_int_eq(e->ndim, 0);
    ck_assert_int_eq(e->numel, 1);
    int64_t step_back;
    ck_assert_uint_eq(e->nbytes, sizeof step_back);
    memcpy(&step_back, e->data, sizeof step_back);
    ck_assert(step_back == step);

    e = sc_st_find(&f, "mask");
    ck_assert_int_eq(e->dtype, SC_ST_U8);
    ck_assert_uint_eq(e->nbytes, 5);
    ck_assert(memcmp(e->data, mask, 5) == 0);

    e = sc_st_find(&f, "h");
    ck_assert_int_eq(e->dtype, SC_ST_BF16);
    ck_assert(memcmp(e->data, bf16, sizeof bf16) == 0);

    e = sc_st_find(&f, "empty");
    ck_assert_int_eq(e->ndim, 2);
    ck_assert_int_eq(e->shape[0], 0);
    ck_assert_int_eq(e->shape[1], 4);
    ck_assert_int_eq(e->numel, 0);
    ck_assert_uint_eq(e->nbytes, 0);

    e = sc_st_find(&f, "f64");
    ck_assert_int_eq(e->dtype, SC_ST_F64);
    ck_assert(memcmp(e->data, f64, sizeof f64) == 0);

    e = sc_st_find(&f, "labels");
    ck_assert_int_eq(e->dtype, SC_ST_I32);
    sc_dtype engine_dtype;
    ck_assert(sc_st_dtype_to_tensor(e->dtype, &engine_dtype));
    ck_assert_int_eq(engine_dtype, SC_I32);
    ck_assert(memcmp(e->data, labels, sizeof labels) == 0);

    ck_assert_uint_eq(sc_st_metadata_count(&f), 3);
    ck_assert_str_eq(sc_st_metadata_get(&f, "format"), "pt");
    ck_assert_str_eq(sc_st_metadata_get(&f, "epoch"), "4");
    ck_assert_str_eq(sc_st_metadata_get(&f, "note"), "quote \" newline \n caf\xc3\xa9");
    ck_assert_ptr_null(sc_st_metadata_get(&f, "missing"));
    const char *key, *value;
    ck_assert(sc_st_metadata_at(&f, 1, &key, &value));
    ck_assert_str_eq(key, "epoch");
    ck_assert_str_eq(value, "4");
    ck_assert(!sc_st_metadata_at(&f, 3, &key, &value));
    sc_st_close(&f);
    sc_test_rmtree(dir);
}
END_TEST

/* the bytes on disk, read without the reader: length prefix, padding, offsets, data */
START_TEST(test_written_bytes_follow_the_format) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("safetensors", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/a.safetensors", dir);
    float a[2] = {1.0f, -2.0f};    // (2,)
    uint8_t b[3] = {7, 8, 9};       // (3,)
    int64_t c = 5;                  // ()
    sc_st_writer w;
    sc_st_writer_init(&w);
    sc_error err = {0};
    const int64_t s_a[1] = {2}, s_b[1] = {3};
    ck_assert_int_eq(sc_st_writer_add(&w, "a", SC_ST_F32, 1, s_a, a, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "b", SC_ST_U8, 1, s_b, b, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "c", SC_ST_I64, 0, NULL, &c, &err), SC_OK);
    ck_assert_msg(sc_st_writer_write(&w, path, &err) == SC_OK, "%s", err.msg);
    sc_st_writer_free(&w);

    char *raw;
    size_t size;
    ck_assert_int_eq(sc_file_read_all(path, 1 << 20, &raw, &size, &err), SC_OK);
    const unsigned char *bytes = (const unsigned char *)raw;
    const char *json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                       "\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]},"
                       "\"c\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[11,19]}}";
    size_t json_len = strlen(json);
    uint64_t n = read_le_u64(bytes);
    ck_assert_uint_eq(n % 8, 0);                    /* 8 + N is a multiple of 8 */
    ck_assert_uint_eq(n, (json_len + 7) / 8 * 8);   /* padded by fewer than 8 bytes */
    ck_assert(memcmp(bytes + 8, json, json_len) == 0);
    for (size_t i = json_len; i < n; i++)
        ck_assert_int_eq(bytes[8 + i], ' ');        /* padding is spaces */
    ck_assert_uint_eq(size, 8 + n + 19);            /* nothing after the data */
    const unsigned char *data = bytes + 8 + n;
    ck_assert(memcmp(data, a, 8) == 0);
    ck_assert(memcmp(data + 8, b, 3) == 0);
    ck_assert(memcmp(data + 11, &c, 8) == 0);
    free(raw);
    sc_test_rmtree(dir);
}
END_TEST

/* the same tensors and metadata in the reference's order give the reference's bytes */
START_TEST(test_matches_reference_writer) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("safetensors", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/ref.safetensors", dir);
    sc_st_writer w;
    sc_st_writer_init(&w);
    sc_error err = {0};
    const int64_t s_w[2] = {2, 3}, s_2[1] = {2}, s_3[1] = {3};
    ck_assert_int_eq(sc_st_writer_set_metadata(&w, "format", "pt", &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_set_metadata(&w, "note", REF_NOTE, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "step", SC_ST_I64, 0, NULL, &REF_STEP, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "fc.bias", SC_ST_F32, 1, s_2, REF_FC_BIAS, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "fc.weight", SC_ST_F32, 2, s_w, REF_FC_WEIGHT, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "half", SC_ST_BF16, 1, s_2, REF_HALF, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "mask", SC_ST_U8, 1, s_3, REF_MASK, &err), SC_OK);
    ck_assert_msg(sc_st_writer_write(&w, path, &err) == SC_OK, "%s", err.msg);
    sc_st_writer_free(&w);
    char *raw;
    size_t size;
    ck_assert_int_eq(sc_file_read_all(path, 1 << 20, &raw, &size, &err), SC_OK);
    ck_assert_uint_eq(size, sizeof REFERENCE_FILE);
    for (size_t i = 0; i < size; i++)
        ck_assert_msg((unsigned char)raw[i] == REFERENCE_FILE[i], "byte %zu: 0x%02x, reference 0x%02x", i,
                      (unsigned char)raw[i], REFERENCE_FILE[i]);
    free(raw);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_reads_reference_file) {
    sc_st_file f;
    sc_error err = {0};
    ck_assert_msg(sc_st_open_memory(&f, REFERENCE_FILE, sizeof REFERENCE_FILE, "ref.safetensors", &err) == SC_OK,
                  "%s", err.msg);
    ck_assert_uint_eq(f.count, 5);
    ck_assert_str_eq(f.entries[0].name, "step"); /* header order */
    const sc_st_entry *e = sc_st_find(&f, "fc.weight");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->dtype, SC_ST_F32);
    ck_assert_int_eq(e->ndim, 2);
    ck_assert_int_eq(e->shape[0], 2);
    ck_assert_int_eq(e->shape[1], 3);
    ck_assert(memcmp(e->data, REF_FC_WEIGHT, sizeof REF_FC_WEIGHT) == 0);
    e = sc_st_find(&f, "fc.bias");
    ck_assert(memcmp(e->data, REF_FC_BIAS, sizeof REF_FC_BIAS) == 0);
    e = sc_st_find(&f, "step");
    ck_assert_int_eq(e->ndim, 0);
    int64_t step;
    memcpy(&step, e->data, sizeof step);
    ck_assert(step == REF_STEP);
    e = sc_st_find(&f, "mask");
    ck_assert_int_eq(e->dtype, SC_ST_U8);
    ck_assert(memcmp(e->data, REF_MASK, sizeof REF_MASK) == 0);
    e = sc_st_find(&f, "half");
    ck_assert_int_eq(e->dtype, SC_ST_BF16);
    ck_assert(memcmp(e->data, REF_HALF, sizeof REF_HALF) == 0);
    ck_assert_str_eq(sc_st_metadata_get(&f, "format"), "pt");
    ck_assert_str_eq(sc_st_metadata_get(&f, "note"), REF_NOTE);
    sc_st_close(&f);
}
END_TEST

START_TEST(test_edge_cases_accepted) {
    static const char *const headers[] = {
        "{}",                                     /* no tensors, no data */
        "{\"__metadata__\":{}}",                  /* empty metadata */
        "{\"__metadata__\":null}",
        "{\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
        "\"y\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}}", /* two empty tensors */
        "{\n \"a\" : {\"shape\":[],\"data_offsets\":[0,2],\"dtype\":\"F16\"}\n}    ", /* any order, spaces */
    };
    const size_t data_len[] = {0, 0, 0, 0, 2};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        size_t size;
        unsigned char *b = build_file(headers[i], data_len[i], &size);
        sc_st_file f;
        sc_error err = {0};
        ck_assert_msg(sc_st_open_memory(&f, b, size, "edge.safetensors", &err) == SC_OK, "case %zu: %s", i,
                      err.msg);
        ck_assert_uint_eq(sc_st_metadata_count(&f), 0);
        sc_st_close(&f);
        free(b);
    }
}
END_TEST

/* ---- malformed files ------------------------------------------------------------------------ */

typedef struct bad_file_case {
    const char *header;
    size_t data_len;
    const char *message; /* expected substring after "bad.safetensors: " */
} bad_file_case;

#define ENTRY_A_F32_2 "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"

static const bad_file_case BAD_FILES[] = {
    {"{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[1000],\"data_offsets\":[0,4000]}}", 3000,
     "tensor 'fc.weight': data_offsets [0, 4000] run past the end of the data (3000 bytes)"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16,
     "tensor 'w': data_offsets [0, 16] hold 16 bytes but shape [2, 3] of F32 needs 24"},
    {"{\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,4]}}", 4,
     "tensor 's': data_offsets [0, 4] hold 4 bytes but shape [] of I64 needs 8"},
    {"{" ENTRY_A_F32_2 ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
     "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]"},
    {"{" ENTRY_A_F32_2 ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
     "data_offsets [0, 8] overlap tensor"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
     "bytes [4, 8) of the data belong to no tensor (a gap before tensor 'b')"},
    {"{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
     "bytes [0, 4) of the data belong to no tensor (a gap before tensor 'b')"},
    {"{" ENTRY_A_F32_2 "}", 12, "bytes [8, 12) at the end of the data belong to no tensor"},
    {"{}", 1, "bytes [0, 1) at the end of the data belong to no tensor"},
    {"{\"a\":{\"dtype\":\"float32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
     "tensor 'a': unknown dtype \"float32\""},
    {"{\"a\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1, "tensor 'a': unknown dtype \"F4\""},
    {"{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
     "tensor 'a': dtype is a JSON number, expected a string"},
    {"{" ENTRY_A_F32_2 "," ENTRY_A_F32_2 "}", 8, "header: duplicate key \"a\" (first at byte 1) at byte 54"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a': missing \"data_offsets\""},
    {"{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a': missing \"dtype\""},
    {"{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'a': missing \"shape\""},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"offsets\":[0,8]}}", 8,
     "tensor 'a': unexpected field \"offsets\" (expected dtype, shape, data_offsets)"},
    {"{\"a\":[1,2]}", 0, "tensor 'a': entry is a JSON array, expected an object"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8,
     "tensor 'a': data_offsets [8, 0] end before they begin"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", 16,
     "tensor 'a': data_offsets must be two non-negative integers [begin, end]"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}", 8,
     "tensor 'a': data_offsets must be two non-negative integers"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8,
     "tensor 'a': data_offsets must be two non-negative integers"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":\"0,8\"}}", 8,
     "tensor 'a': data_offsets must be two non-negative integers"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8,
     "tensor 'a': shape entry 0 is not a non-negative integer"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1,2.0],\"data_offsets\":[0,8]}}", 8,
     "tensor 'a': shape entry 1 is not a non-negative integer"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8,
     "tensor 'a': shape is a JSON number, expected an array of integers"},
    {"{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,8]}}", 8,
     "tensor 'a': shape has more elements than fit in 64 bits"},
    {"{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}", 8,
     "tensor 'a': shape needs more bytes than fit in 64 bits"},
    {"{\"__metadata__\":{\"epoch\":3}}", 0, "__metadata__ \"epoch\" is a JSON number, expected a string"},
    {"{\"__metadata__\":[\"x\"]}", 0, "__metadata__ is a JSON array, expected an object of strings"},
    {"{\"__metadata__\":{\"k\":\"a\\u0000b\"}}", 0, "__metadata__ \"k\" contains a NUL character"},
    {"{\"a\\u0000b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1,
     "a tensor name contains a NUL character"},
    {"{\"a\":{\"dtype\":\"F32\",}}", 0, "header: expected a string key at byte 20"},
    {"{\"a\":1", 0, "header: expected ',' or '}' at byte 6"},
    {"{}\x01", 0, "header: unexpected data after the JSON value at byte 2"},
    {"{\"\xff\":{}}", 0, "header: invalid UTF-8 in string at byte 2"},
    {"[]", 0, "header does not start with '{' (expected a JSON object)"},
    {" {}", 0, "header does not start with '{'"},
    {"", 8, "header does not start with '{'"},
};

START_TEST(test_malformed_file) {
    const bad_file_case *c = &BAD_FILES[_i];
    size_t size;
    unsigned char *b = build_file(c->header, c->data_len, &size);
    sc_st_file f;
    sc_error err = {0};
    ck_assert_msg(sc_st_open_memory(&f, b, size, "bad.safetensors", &err) == SC_ERR_FORMAT,
                  "case %d accepted: %s", _i, c->header);
    ck_assert_int_eq(err.code, SC_ERR_FORMAT);
    ck_assert_msg(strncmp(err.msg, "bad.safetensors: ", 17) == 0, "case %d: '%s'", _i, err.msg);
    ck_assert_msg(strstr(err.msg, c->message) != NULL, "case %d: '%s', expected '%s'", _i, err.msg, c->message);
    ck_assert_ptr_null(f.bytes); /* left empty */
    ck_assert_uint_eq(f.count, 0);
    sc_st_close(&f);
    free(b);
}
END_TEST

/* broken length prefixes */
START_TEST(test_bad_header_length) {
    sc_st_file f;
    sc_error err = {0};
    const unsigned char short_file[5] = {2, 0, 0, 0, 0};
    ck_assert_int_eq(sc_st_open_memory(&f, short_file, sizeof short_file, "s.safetensors", &err), SC_ERR_FORMAT);
    ck_assert_str_eq(err.msg, "s.safetensors: file is 5 bytes, too short for the 8-byte header length");

    unsigned char past_end[18] = {100, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    ck_assert_int_eq(sc_st_open_memory(&f, past_end, sizeof past_end, "p.safetensors", &err), SC_ERR_FORMAT);
    ck_assert_str_eq(err.msg, "p.safetensors: header length 100 runs past the end of the file (18 bytes)");

    unsigned char huge[16] = {0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0, '{', '}'}; /* 100000001 */
    ck_assert_int_eq(sc_st_open_memory(&f, huge, sizeof huge, "h.safetensors", &err), SC_ERR_FORMAT);
    ck_assert_str_eq(err.msg, "h.safetensors: header length 100000001 is over the limit of 100000000 bytes");

    unsigned char max[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, '{', '}'};
    ck_assert_int_eq(sc_st_open_memory(&f, max, sizeof max, "m.safetensors", &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "header length 18446744073709551615 is over the limit"));

    ck_assert_int_eq(sc_st_open_memory(&f, max, 0, "e.safetensors", &err), SC_ERR_FORMAT);
    ck_assert_str_eq(err.msg, "e.safetensors: file is 0 bytes, too short for the 8-byte header length");
}
END_TEST

START_TEST(test_too_many_dimensions_unsupported) {
    size_t size;
    unsigned char *b = build_file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1,
                                  &size);
    sc_st_file f;
    sc_error err = {0};
    ck_assert_int_eq(sc_st_open_memory(&f, b, size, "d.safetensors", &err), SC_ERR_UNSUPPORTED);
    ck_assert_str_eq(err.msg, "d.safetensors: tensor 'a' has 9 dimensions, at most 8 are supported");
    free(b);
}
END_TEST

START_TEST(test_open_missing_or_directory) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("safetensors", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/none.safetensors", dir);
    sc_st_file f;
    sc_error err = {0};
    ck_assert_int_eq(sc_st_open(&f, path, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "none.safetensors: No such file or directory"));
    ck_assert_int_eq(sc_st_open(&f, dir, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "it is a directory"));
    sc_st_close(&f);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_writer_rejects_bad_entries) {
    sc_st_writer w;
    sc_st_writer_init(&w);
    sc_error err = {0};
    float x[4] = {0};
    const int64_t s4[1] = {4}, neg[1] = {-1}, nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 4};
    ck_assert_int_eq(sc_st_writer_add(&w, "x", SC_ST_F32, 1, s4, x, &err), SC_OK);
    ck_assert_int_eq(sc_st_writer_add(&w, "x", SC_ST_F32, 1, s4, x, &err), SC_ERR_USAGE);
    ck_assert_str_eq(err.msg, "safetensors writer: tensor 'x' was added twice");
    ck_assert_int_eq(sc_st_writer_add(&w, "__metadata__", SC_ST_F32, 1, s4, x, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "\"__metadata__\" is reserved"));
    ck_assert_int_eq(sc_st_writer_add(&w, "", SC_ST_F32, 1, s4, x, &err), SC_ERR_USAGE);
    ck_assert_int_eq(sc_st_writer_add(&w, "n", SC_ST_F32, 1, neg, x, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "tensor 'n' has a negative dimension -1"));
    ck_assert_int_eq(sc_st_writer_add(&w, "d", SC_ST_F32, 9, nine, x, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "tensor 'd' has 9 dimensions, expected 0 to 8"));
    ck_assert_int_eq(sc_st_writer_add(&w, "p", SC_ST_F32, 1, s4, NULL, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "tensor 'p' has no data pointer"));
    ck_assert_int_eq(sc_st_writer_add(&w, "t", SC_ST_DTYPE_COUNT, 1, s4, x, &err), SC_ERR_USAGE);
    ck_assert_uint_eq(w.count, 1);
    sc_st_writer_free(&w);
}
END_TEST

START_TEST(test_dtype_table) {
    const char *names[] = {"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16", "U16", "F16",
                           "BF16", "I32", "U32", "F32", "I64", "U64", "F64", "C64"};
    const size_t sizes[] = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8, 8};
    ck_assert_int_eq(sizeof names / sizeof names[0], SC_ST_DTYPE_COUNT);
    for (int i = 0; i < SC_ST_DTYPE_COUNT; i++) {
        sc_st_dtype d;
        ck_assert(sc_st_dtype_parse(names[i], &d));
        ck_assert_int_eq(d, i);
        ck_assert_str_eq(sc_st_dtype_name(d), names[i]);
        ck_assert_uint_eq(sc_st_dtype_size(d), sizes[i]);
    }
    sc_st_dtype d;
    ck_assert(!sc_st_dtype_parse("f32", &d));
    const sc_dtype engine[] = {SC_F32, SC_BF16, SC_I32, SC_I64, SC_U8};
    for (size_t i = 0; i < sizeof engine / sizeof engine[0]; i++) {
        sc_dtype back;
        ck_assert(sc_st_dtype_to_tensor(sc_st_dtype_from_tensor(engine[i]), &back));
        ck_assert_int_eq(back, engine[i]);
        ck_assert_str_eq(sc_st_dtype_name(sc_st_dtype_from_tensor(engine[i])), sc_dtype_name(engine[i]));
    }
    sc_dtype none;
    ck_assert(!sc_st_dtype_to_tensor(SC_ST_F16, &none));
}
END_TEST

static Suite *safetensors_suite(void) {
    Suite *s = suite_create("safetensors");
    TCase *format = tcase_create("format");
    tcase_add_test(format, test_round_trip);
    tcase_add_test(format, test_written_bytes_follow_the_format);
    tcase_add_test(format, test_matches_reference_writer);
    tcase_add_test(format, test_reads_reference_file);
    tcase_add_test(format, test_edge_cases_accepted);
    tcase_add_loop_test(format, test_malformed_file, 0, (int)(sizeof BAD_FILES / sizeof BAD_FILES[0]));
    tcase_add_test(format, test_bad_header_length);
    tcase_add_test(format, test_too_many_dimensions_unsupported);
    tcase_add_test(format, test_open_missing_or_directory);
    tcase_add_test(format, test_writer_rejects_bad_entries);
    tcase_add_test(format, test_dtype_table);
    suite_add_tcase(s, format);
    return s;
}

int main(void) {
    return sc_check_run(safetensors_suite());
}
