/* Grad-CAM (Selvaraju et al. 2017) on the last convolutional stage A, the value feeding the
 * global-average pool: alpha_k = spatial mean of d f_t / dA_k, cam = ReLU(sum_k alpha_k A_k)
 * (the gradcam op), bilinearly resized to the input's H x W. The gradient of A comes from the
 * backward of the network's tail only (no weight gradient, running statistics untouched). */
#include "explainer_internal.h"
#include "host/nn/backward_tail.h"

sc_status sc_explain_gradcam(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                             const sc_tensor *maps, sc_error *err) {
    sc_net *net = e->net;
    sc_backend *be = net->be;
    sc_acts *a = e->acts;
    int n = (int)x->shape[0];
    SC_TRY(sc_explainer_load_rows(e, x, 0, n, err));
    SC_TRY(sc_net_forward(net, a, SC_FWD_EVAL, err));
    sc_tensor dlogits = sc_tensor_2d(sc_acts_dlogits(a)->data, SC_F32, n, net->num_classes);
    sc_status st = be->ops->onehot(be, 1.0f, targets, &dlogits);
    if (st != SC_OK)
        return sc_fail(err, st, "gradcam target: %s", be->err.msg);
    SC_TRY(sc_net_backward_to_value(net, a, e->cam_value, err));
    sc_tensor act = sc_explainer_rows(&a->values[e->cam_value], 0, n); /* (n, K, h, w) */
    sc_tensor grad = sc_explainer_rows(&a->grads[e->cam_value], 0, n); /* (n, K, h, w) */
    sc_tensor cam = sc_explainer_rows(&e->cam, 0, n);                  /* (n, 1, h, w) */
    st = be->ops->gradcam(be, &act, &grad, &cam);
    if (st == SC_OK)
        st = be->ops->resize_bilinear(be, &cam, maps);
    return st == SC_OK ? SC_OK : sc_fail(err, st, "gradcam map: %s", be->err.msg);
}
