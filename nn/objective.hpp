// The paper's training objective for a network field f_θ:
//   L(θ) = mean_{i,k} (Φ_h^S[f_θ](x_i) − y_i)_k²,  h = T/S,
// evaluated in float or double on a tape that is kept (and its buffers reused) across
// evaluations. Gradients come back in double, one tensor per parameter, ordered W₀, b₀, W₁, ….
#pragma once

#include <memory>
#include <vector>

#include "nn/mlp.hpp"
#include "ode/method.hpp"

namespace nimde::nn {

class Objective {
 public:
  virtual ~Objective() = default;
  /// L at the network's current parameters; fills `grad` with ∂L/∂θ.
  virtual double loss_and_grad(std::vector<Tensor<double>>& grad) = 0;
  /// L at the current parameters, forward only.
  virtual double loss() = 0;
  /// Restrict the loss to these rows of the data (a minibatch); empty: all rows.
  virtual void select_rows(const std::vector<std::size_t>& rows) = 0;
  /// Bytes it holds for the gradient: its tape's buffers and any saved states.
  virtual std::size_t memory_bytes() const = 0;
};

/// How the gradient goes back through the S unrolled steps.
enum class Backprop {
  taped,      ///< all S steps on one tape: memory grows with S × (a step's intermediates)
  recompute,  ///< only each step's input state is kept; backward re-records one step at a time
              ///< (memory: S states + one step's tape; time: one more forward pass), same bits
};
inline constexpr NameTable<Backprop, 2> kBackpropNames{{{Backprop::taped, "taped"}, {Backprop::recompute, "recompute"}}};

/// The objective on data (x, y) (n × d each), computed in precision "f32" or "f64".
std::unique_ptr<Objective> make_objective(MlpField net, ode::Method method, int steps, double T,
                                          const Tensor<double>& x, const Tensor<double>& y, const std::string& dtype,
                                          Backprop backprop = Backprop::taped);

}  // namespace nimde::nn
