// Mlp: a fully connected network d → w → … → w → d used as a vector field f_θ(y), or
// d → w → … → w → 1 used as a Hamiltonian H_θ(y) whose field is J⁻¹∇H_θ (a Hamiltonian network).
//
// The forward pass is written once, generic over the state (state.hpp): on a batch (Array),
// on a tape (Var, for training and the gradient study) and at a single point of any scalar
// type (Point, for elementary differentials by forward-mode AD). Each layer computes
// act(W·x + b) with W of shape out × in (the model file's convention); the last layer is linear.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/activation.hpp"
#include "nn/settings.hpp"
#include "autodiff/tape.hpp"
#include "ode/field.hpp"
#include "nn/gradients.hpp"

namespace nimde::nn {

using autodiff::Tensor;


/// Weight initialisers. Biases start at zero.
enum class Init { orthogonal, glorot_uniform, glorot_normal, he_normal };
inline constexpr NameTable<Init, 4> kInitNames{{{Init::orthogonal, "orthogonal"},
                                                {Init::glorot_uniform, "glorot-uniform"},
                                                {Init::glorot_normal, "glorot-normal"},
                                                {Init::he_normal, "he-normal"}}};
inline std::string_view init_name(Init i) { return name_of(kInitNames, i); }
Init parse_init(std::string_view name);

/// What a network is. A Neural ODE's network is the field f_θ. A Hamiltonian network's is a
/// scalar H_θ on canonical coordinates y = (p, q), and its field is J⁻¹∇H_θ:
/// ṗ = −∂H_θ/∂q, q̇ = ∂H_θ/∂p, so its flow conserves H_θ and every symplectic method conserves
/// a modified H_θ. Its field differentiates the network (on a tape: a gradient with
/// create_graph, which training differentiates again).
enum class ModelKind { node, hnn };
inline constexpr NameTable<ModelKind, 2> kModelKindNames{{{ModelKind::node, "node"}, {ModelKind::hnn, "hnn"}}};

/// The parameters of a network, in double (the file format and the reference copy).
struct MlpParams {
  ModelKind kind = ModelKind::node;
  std::vector<Tensor<double>> weights;  ///< out × in per layer
  std::vector<Tensor<double>> biases;   ///< 1 × out per layer
  std::vector<autodiff::Activation> activations;  ///< per layer (autodiff/activation.hpp)
  std::size_t layers() const { return weights.size(); }
  std::size_t count() const;            ///< number of scalar parameters
  std::size_t dim() const { return weights.front().shape()[1]; }  ///< of the state y
};

/// A d → width^depth → d network (a Hamiltonian network: → 1) with `act` on hidden layers and
/// a linear output layer.
MlpParams make_mlp(std::size_t dim, std::size_t width, std::size_t depth, autodiff::Activation act, Init init,
                   std::uint64_t seed, ModelKind kind = ModelKind::node);

/// Throws a SettingError when a network of this kind cannot have this shape or activation: a
/// Hamiltonian network needs an even dimension and a twice differentiable activation.
void check_model_kind(ModelKind kind, std::size_t dim, autodiff::Activation act);

/// Leaves for a network's parameters on one tape: the trainer binds them after each clear.
template <class T>
struct TapeParams {
  std::vector<autodiff::Var<T>> weights, biases;
};

/// A network as a Field (f_θ, or J⁻¹∇H_θ for a Hamiltonian network). Plain states read the parameters through `params` (so updates to
/// them are seen); taped states of type T use the leaves most recently bound with `bind`,
/// or constants when none are bound on that tape.
class MlpField {
 public:
  explicit MlpField(std::shared_ptr<MlpParams> params);
  /// The field, with component names.
  ode::Field field(std::string name, std::vector<std::string> names) const;
  /// Records the parameters as leaves on `tape` (requires_grad) and makes them the ones used.
  template <class T>
  const TapeParams<T>& bind(autodiff::Tape<T>& tape);
  const MlpParams& params() const { return *params_; }
  MlpParams& params() { return *params_; }

 private:
  struct Shared;
  std::shared_ptr<MlpParams> params_;
  std::shared_ptr<Shared> shared_;
};

/// H_θ at each row of y (n × d), n × 1: a Hamiltonian network's scalar, the quantity its flow conserves.
Tensor<double> hamiltonian(const MlpParams& p, const Tensor<double>& y);

/// The network as a parametric field in double for ode's gradient methods; θ is ordered
/// W₀, b₀, W₁, b₁, ….
ParametricField parametric_field(MlpField net, std::string name, std::vector<std::string> names);

}  // namespace nimde::nn
