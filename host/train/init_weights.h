/* `scaat train --init FILE.safetensors [--init-skip fc]`: start training from a PyTorch
 * state_dict saved with safetensors (torchvision names: conv1.weight, bn1.running_mean,
 * layer1.0.conv1.weight, ..., fc.weight, fc.bias; no metadata needed), e.g. torchvision's
 * pretrained ResNets exported with safetensors.torch.save_file(model.state_dict(), path). */
#ifndef SC_INIT_WEIGHTS_H
#define SC_INIT_WEIGHTS_H

#include "host/nn/net.h"

/* Overwrite the model's parameters and BN running statistics with the file's tensors.
 * skip_prefixes: comma list of name prefixes ("fc", "fc,layer4") whose parameters keep their
 * fresh initialisation (a prefix matches a name equal to it or followed by '.'); "" = none.
 * Every parameter not skipped must be in the file as F32 with the model's shape and finite
 * values; every file tensor must be a parameter of the model or skipped
 * (*.num_batches_tracked entries are allowed and ignored). The first mismatch is one error
 * line naming the tensor (SC_ERR_SHAPE or SC_ERR_FORMAT; a prefix matching no parameter is
 * SC_ERR_USAGE). On failure the model is left unchanged. */
sc_status sc_init_weights_load(const char *path, const char *skip_prefixes, sc_net *net,
                               sc_error *err);

#endif
