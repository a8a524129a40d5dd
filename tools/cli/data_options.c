/* Parsing of the data options (see data_options.h). */
#include "data_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "a,b,c": 1..SC_DATASET_MAX_CHANNELS numbers in [lo, hi]. */
static sc_status parse_float_list(sc_args *a, float lo, float hi, float *out, int *count,
                                  sc_error *err) {
    char text[256];
    SC_TRY(sc_args_string(a, text, sizeof text, err));
    *count = 0;
    char *at = text;
    for (;;) {
        char *end;
        double v = strtod(at, &end);
        if (end == at || (*end != ',' && *end != '\0') || !(v >= lo && v <= hi) ||
            *count == SC_DATASET_MAX_CHANNELS)
            return sc_fail(err, SC_ERR_USAGE, "%s: expected 1 to %d comma-separated numbers in "
                           "[%g, %g] (e.g. 0.485,0.456,0.406), got '%s'", a->name,
                           SC_DATASET_MAX_CHANNELS, (double)lo, (double)hi, text);
        out[(*count)++] = (float)v;
        if (*end == '\0')
            return SC_OK;
        at = end + 1;
    }
}

static sc_status parse_choice(sc_args *a, const char *first, const char *second, int *out,
                              sc_error *err) {
    char text[32];
    SC_TRY(sc_args_string(a, text, sizeof text, err));
    if (strcmp(text, first) == 0 || strcmp(text, second) == 0) {
        *out = strcmp(text, second) == 0;
        return SC_OK;
    }
    return sc_fail(err, SC_ERR_USAGE, "%s: expected %s or %s, got '%s'", a->name, first, second,
                   text);
}

sc_status sc_cli_data_option(sc_args *a, sc_data_config *data, int *matched, sc_error *err) {
    long long v = 0;
    sc_status st = SC_OK;
    *matched = 1;
    if (sc_args_is(a, "--image-size")) {
        st = sc_args_int(a, 8, 4096, &v, err);
        data->image_size = (int)v;
    } else if (sc_args_is(a, "--resize")) {
        st = sc_args_int(a, 8, 8192, &v, err);
        data->resize = (int)v;
    } else if (sc_args_is(a, "--channels")) {
        st = sc_args_int(a, 1, 3, &v, err);
        if (st == SC_OK && v == 2)
            st = sc_fail(err, SC_ERR_USAGE, "--channels: expected 1 or 3, got 2");
        data->channels = (int)v;
    } else if (sc_args_is(a, "--workers")) {
        st = sc_args_int(a, 0, 256, &v, err);
        data->workers = (int)v;
    } else if (sc_args_is(a, "--max-pixels")) {
        st = sc_args_int(a, 1, (long long)1 << 40, &v, err);
        data->max_pixels = v;
    } else if (sc_args_is(a, "--on-bad-image")) {
        st = parse_choice(a, "error", "skip", &data->skip_bad, err);
    } else if (sc_args_is(a, "--pcam-eval")) {
        st = parse_choice(a, "valid", "test", &data->pcam_eval_test, err);
    } else if (sc_args_is(a, "--norm-mean")) {
        st = parse_float_list(a, -10.0f, 10.0f, data->norm_mean, &data->norm_channels, err);
    } else if (sc_args_is(a, "--norm-std")) {
        st = parse_float_list(a, 1e-6f, 10.0f, data->norm_std, &data->norm_std_channels, err);
    } else {
        *matched = 0;
    }
    return st;
}

sc_status sc_cli_parse_data_command(int argc, char **argv, const char *command, sc_cli_dataset *ds,
                                    sc_cli_own_option_fn own, void *ctx, int *help, sc_error *err) {
    memset(ds, 0, sizeof *ds);
    snprintf(ds->dataset, sizeof ds->dataset, "imagefolder");
    *help = 0;
    sc_args a;
    sc_args_init(&a, argc, argv);
    sc_status st = SC_OK;
    while (st == SC_OK && sc_args_next(&a, &st, err)) {
        int matched = 0;
        if (sc_args_is(&a, "--help") || sc_args_is(&a, "-h")) {
            *help = 1;
            return SC_OK;
        }
        if (sc_args_is(&a, "--dataset"))
            st = sc_args_string(&a, ds->dataset, sizeof ds->dataset, err);
        else if (sc_args_is(&a, "--data"))
            st = sc_args_string(&a, ds->data_dir, sizeof ds->data_dir, err);
        else if ((st = sc_cli_data_option(&a, &ds->data, &matched, err)) == SC_OK && !matched &&
                 (st = own(&a, ctx, &matched, err)) == SC_OK && !matched)
            st = sc_args_unknown(&a, command, err);
    }
    return st == SC_OK ? sc_cli_data_validate(&ds->data, err) : st;
}

sc_status sc_cli_data_validate(const sc_data_config *data, sc_error *err) {
    if (data->norm_channels != data->norm_std_channels)
        return sc_fail(err, SC_ERR_USAGE, "--norm-mean gives %d values and --norm-std %d: give "
                       "both, one value per channel", data->norm_channels,
                       data->norm_std_channels);
    return SC_OK;
}

const char *sc_cli_data_help(void) {
    return "  --image-size N        image datasets: side of the network's input (default 224 for\n"
           "                        imagefolder, 96 for pcam)\n"
           "  --resize N            imagefolder evaluation: Resize(N) then CenterCrop(image size)\n"
           "                        (default image size * 256 / 224)\n"
           "  --channels 1|3        imagefolder: grey or RGB input (default 3)\n"
           "  --workers N           decode / augment threads (default: all cores for image\n"
           "                        datasets, 1 for in-memory ones)\n"
           "  --on-bad-image M      error | skip: stop at a bad image naming it (default), or\n"
           "                        replace it by the next good one and count it\n"
           "  --max-pixels N        images with more pixels are bad (default 178956970)\n"
           "  --norm-mean A,B,C     normalisation mean per channel (default: the dataset's;\n"
           "                        ImageNet's for imagefolder and pcam); see scaat data-stats\n"
           "  --norm-std A,B,C      normalisation std per channel (with --norm-mean)\n"
           "  --pcam-eval S         valid | test: PCam's evaluation split (default valid)\n";
}
