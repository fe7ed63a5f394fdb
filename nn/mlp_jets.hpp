// A network on batches of jets (autodiff/jet_batch.hpp): each layer's product for every
// coefficient of every point is one GEMM; the bias and the activations act on the jets. Internal
// to nn (MlpField's fields use it).
#pragma once

#include "autodiff/jet_batch.hpp"

namespace nimde::nn {

struct MlpParams;

/// The network's field on every jet of y: f_θ for a Neural ODE, J⁻¹∇H_θ for a Hamiltonian network.
autodiff::JetBatch field_jets(const MlpParams& p, const autodiff::JetBatch& y);

}  // namespace nimde::nn
