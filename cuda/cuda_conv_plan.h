/* A convolution plan of the CUDA backend (cuda_conv.c builds and caches them; cuda_conv_algo.c
 * chooses their algorithms): the descriptors of one (x, w, stride, pad, tf32) shape, one
 * convolution descriptor per direction with the math type its algorithm needs, the algorithm
 * chosen for each direction and the workspace the three need. Private to cuda/. */
#ifndef SC_CUDA_CONV_PLAN_H
#define SC_CUDA_CONV_PLAN_H

#include <stddef.h>

#include <cudnn.h>

#include "../host/backend/backend.h"

typedef struct conv_key {
    int n, c, h, w; /* x */
    int k, r, s;    /* w (K, C, R, S) */
    int stride, pad;
    int tf32;
} conv_key;

typedef struct conv_plan {
    conv_key key;
    cudnnTensorDescriptor_t x_desc; /* (N, C, H, W), also dx */
    cudnnTensorDescriptor_t y_desc; /* (N, K, OH, OW), also dy */
    cudnnFilterDescriptor_t w_desc; /* (K, C, R, S), also dw */
    cudnnConvolutionDescriptor_t fwd_desc;
    cudnnConvolutionDescriptor_t bwd_data_desc;
    cudnnConvolutionDescriptor_t bwd_filter_desc;
    cudnnConvolutionFwdAlgo_t fwd_algo;
    cudnnConvolutionBwdDataAlgo_t bwd_data_algo;
    cudnnConvolutionBwdFilterAlgo_t bwd_filter_algo;
    size_t workspace_bytes; /* the largest need of the three algorithms, within the limit */
} conv_plan;

typedef enum conv_direction { CONV_FWD = 0, CONV_BWD_DATA, CONV_BWD_FILTER } conv_direction;

/* Chooses the algorithm of one direction of plan (descriptors set, each convolution
 * descriptor at the math type the search may use): sets it, sets the direction's descriptor
 * to the math type it runs with, and raises plan->workspace_bytes to its need. */
sc_status sc_cuda_conv_choose(sc_backend *be, conv_plan *plan, conv_direction direction);

#endif
