/* SGD on the CPU: sc_sgd_update_elem (op_math.h, torch.optim.SGD with dampening 0) over flat
 * parameter, gradient and momentum tensors, split over the OpenMP team when large. */
#include "../backend/shape_check.h"
#include "../core/op_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_sgd_update(sc_backend *be, const sc_sgd_params *p, const sc_tensor *param,
                            const sc_tensor *grad, const sc_tensor *momentum_buf) {
    SC_TRY(sc_check_same(&be->err, SC_OP_SGD_UPDATE, param, grad));
    SC_TRY(sc_check_same(&be->err, SC_OP_SGD_UPDATE, param, momentum_buf));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(param);
    float *param_data = sc_f32(param);             /* (n) */
    const float *grad_data = sc_f32(grad);         /* (n) */
    float *momentum_data = sc_f32(momentum_buf);   /* (n) */
    const float lr = p->lr, momentum = p->momentum, weight_decay = p->weight_decay;
    const int nesterov = p->nesterov;
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++)
        sc_sgd_update_elem(param_data + i, grad_data[i], momentum_data + i, lr, momentum,
                           weight_decay, nesterov);
    return SC_OK;
}
