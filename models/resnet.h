/* ResNet model definitions, filled into a network builder:
 * - resnet18 / resnet34 / resnet50: exactly torchvision's (BasicBlock / Bottleneck with the
 *   stride on the 3x3 conv, projection shortcut "downsample.0/1"), with the ImageNet stem
 *   (7x7 stride-2 conv + 3x3 max pool) or the CIFAR stem (3x3 stride-1 conv, no max pool);
 * - resnet8 / resnet20 / resnet56: the CIFAR ResNets of He et al. 2016 (3 stages of
 *   (depth - 2) / 6 BasicBlocks, widths 16/32/64), with 1x1 projection shortcuts where the
 *   shape changes, named like torchvision's (conv1, bn1, layer1..3, fc).
 * Any input channel count and class count. */
#ifndef SC_RESNET_H
#define SC_RESNET_H

#include "host/core/status.h"
#include "host/nn/net.h"

typedef struct sc_model_spec {
    char name[32]; /* resnet8 | resnet20 | resnet56 | resnet18 | resnet34 | resnet50 */
    char stem[16]; /* imagenet | cifar (the He et al. CIFAR ResNets always use a 3x3 stem) */
    int in_channels, num_classes, in_h, in_w;
} sc_model_spec;

/* Comma-separated list of model names, for help texts and errors. */
const char *sc_model_names(void);
int sc_model_known(const char *name);
sc_status sc_model_build(const sc_model_spec *spec, sc_net_builder *b, sc_error *err);
/* Build and create the network on a backend, parameters initialised from seed. */
sc_status sc_model_create(const sc_model_spec *spec, sc_backend *be, uint64_t seed, sc_net **out,
                          sc_error *err);

#endif
