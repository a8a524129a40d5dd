/* ResNet builders (see resnet.h). Layers are added in the order of torchvision's modules so
 * parameter order and names match its state_dict. */
#include "resnet.h"

#include <stdio.h>
#include <string.h>

typedef struct resnet_layout {
    const char *name;
    int bottleneck;
    int blocks[4];
    int n_stages;
    int base_width; /* 64 for torchvision ResNets, 16 for the CIFAR ResNets */
    int cifar_family;
} resnet_layout;

static const resnet_layout RESNETS[] = {
    {"resnet8", 0, {1, 1, 1, 0}, 3, 16, 1},
    {"resnet20", 0, {3, 3, 3, 0}, 3, 16, 1},
    {"resnet56", 0, {9, 9, 9, 0}, 3, 16, 1},
    {"resnet18", 0, {2, 2, 2, 2}, 4, 64, 0},
    {"resnet34", 0, {3, 4, 6, 3}, 4, 64, 0},
    {"resnet50", 1, {3, 4, 6, 3}, 4, 64, 0},
};
#define N_RESNETS (sizeof RESNETS / sizeof RESNETS[0])

const char *sc_model_names(void) { return "resnet8, resnet20, resnet56, resnet18, resnet34, resnet50"; }

static const resnet_layout *find_layout(const char *name) {
    for (size_t i = 0; i < N_RESNETS; i++)
        if (strcmp(RESNETS[i].name, name) == 0)
            return &RESNETS[i];
    return NULL;
}

int sc_model_known(const char *name) { return find_layout(name) != NULL; }

/* conv -> bn (-> relu): returns the output value. */
static int conv_bn(sc_net_builder *b, const char *prefix, const char *conv, const char *bn,
                   int input, int out_c, int kernel, int stride, int relu) {
    char conv_name[SC_NAME_LEN], bn_name[SC_NAME_LEN];
    snprintf(conv_name, sizeof conv_name, "%s%s", prefix, conv);
    snprintf(bn_name, sizeof bn_name, "%s%s", prefix, bn);
    int v = sc_nb_conv(b, conv_name, input, out_c, kernel, stride, kernel / 2);
    v = sc_nb_bn(b, bn_name, v);
    return relu ? sc_nb_relu(b, v) : v;
}

/* One residual block; returns its output value. */
static int block(sc_net_builder *b, const resnet_layout *layout, int stage, int index, int input,
                 int planes, int stride) {
    char prefix[SC_NAME_LEN];
    snprintf(prefix, sizeof prefix, "layer%d.%d.", stage + 1, index);
    int in_c, in_h, in_w;
    sc_nb_value_shape(b, input, &in_c, &in_h, &in_w);
    int expansion = layout->bottleneck ? 4 : 1;
    int out_c = planes * expansion;
    int v;
    if (layout->bottleneck) {
        v = conv_bn(b, prefix, "conv1", "bn1", input, planes, 1, 1, 1);
        v = conv_bn(b, prefix, "conv2", "bn2", v, planes, 3, stride, 1);
        v = conv_bn(b, prefix, "conv3", "bn3", v, out_c, 1, 1, 0);
    } else {
        v = conv_bn(b, prefix, "conv1", "bn1", input, planes, 3, stride, 1);
        v = conv_bn(b, prefix, "conv2", "bn2", v, planes, 3, 1, 0);
    }
    int shortcut = input;
    if (stride != 1 || in_c != out_c)
        shortcut = conv_bn(b, prefix, "downsample.0", "downsample.1", input, out_c, 1, stride, 0);
    v = sc_nb_add(b, v, shortcut);
    return sc_nb_relu(b, v);
}

sc_status sc_model_build(const sc_model_spec *spec, sc_net_builder *b, sc_error *err) {
    const resnet_layout *layout = find_layout(spec->name);
    if (!layout)
        return sc_fail(err, SC_ERR_USAGE, "unknown model '%s' (expected one of: %s)", spec->name,
                       sc_model_names());
    int imagenet_stem = strcmp(spec->stem, "imagenet") == 0;
    if (!imagenet_stem && strcmp(spec->stem, "cifar") != 0)
        return sc_fail(err, SC_ERR_USAGE, "unknown stem '%s' (expected imagenet or cifar)", spec->stem);
    if (layout->cifar_family && imagenet_stem)
        return sc_fail(err, SC_ERR_USAGE, "%s is a CIFAR ResNet: it has only the cifar stem",
                       spec->name);
    if (spec->in_channels < 1 || spec->num_classes < 1 || spec->in_h < 1 || spec->in_w < 1)
        return sc_fail(err, SC_ERR_USAGE, "model %s: invalid input %dx%dx%d or %d classes",
                       spec->name, spec->in_channels, spec->in_h, spec->in_w, spec->num_classes);
    sc_nb_init(b, spec->in_channels, spec->in_h, spec->in_w);
    int width = layout->base_width;
    int v;
    if (imagenet_stem) {
        v = sc_nb_conv(b, "conv1", 0, width, 7, 2, 3);
        v = sc_nb_bn(b, "bn1", v);
        v = sc_nb_relu(b, v);
        v = sc_nb_maxpool(b, v, 3, 2, 1);
    } else {
        v = sc_nb_conv(b, "conv1", 0, width, 3, 1, 1);
        v = sc_nb_bn(b, "bn1", v);
        v = sc_nb_relu(b, v);
    }
    for (int stage = 0; stage < layout->n_stages; stage++) {
        int planes = width << stage;
        for (int i = 0; i < layout->blocks[stage]; i++)
            v = block(b, layout, stage, i, v, planes, (stage > 0 && i == 0) ? 2 : 1);
    }
    v = sc_nb_gap(b, v);
    sc_nb_linear(b, "fc", v, spec->num_classes);
    if (b->failed)
        return sc_fail(err, SC_ERR_USAGE, "model %s on %dx%d input: %s", spec->name, spec->in_h,
                       spec->in_w, b->error);
    return SC_OK;
}

sc_status sc_model_create(const sc_model_spec *spec, sc_backend *be, uint64_t seed, sc_net **out,
                          sc_error *err) {
    sc_net_builder b;
    sc_nb_init(&b, 0, 0, 0);
    sc_status st = sc_model_build(spec, &b, err);
    if (st == SC_OK)
        st = sc_net_create(&b, be, seed, out, err);
    sc_nb_free(&b);
    return st;
}
