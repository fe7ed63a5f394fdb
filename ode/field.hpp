// Field: a vector field f(y) that can be evaluated on every kind of state (state.hpp).
//
// This is the one concept that lets the same field be stepped on plain batches, recorded on
// a tape for training and differentiated to high order at single points: a field is made
// from any generic callable, which is instantiated once per state type and kept behind a
// type-erased handle. Built-in systems, expression fields and networks are all Fields.
//
// Batches of jets (autodiff/jet_batch.hpp) are one more state: a callable that has a member
// `jets(batch)` evaluates them itself (a network: one GEMM per layer for every coefficient of
// every point); for any other the field evaluates them point by point through Point<Jet>.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "autodiff/jet_batch.hpp"
#include "ode/state.hpp"

namespace nimde::ode {

/// The state types every Field accepts. Extending the list extends every field. Point<Jet>
/// points carry truncated Taylor polynomials (autodiff/jet.hpp): f on them gives f's derivatives.
using FieldStates = std::tuple<Array<float>, Array<double>, Var<float>, Var<double>, Point<double>, Point<autodiff::Jet>>;

namespace detail {
template <class F>
concept EvaluatesJetBatches = requires(const F& f, const autodiff::JetBatch& y) {
  { f.jets(y) } -> std::same_as<autodiff::JetBatch>;
};
template <class Tuple> struct Evaluators;
template <class... S>
struct Evaluators<std::tuple<S...>> {
  using type = std::tuple<std::function<S(const S&)>...>;
};
}  // namespace detail

class Field {
 public:
  Field() = default;
  /// `f` is a generic callable State → State for every State in FieldStates. `names` name the
  /// components. `separable`: for y = (p, q), f_p depends on q only and f_q on p only, which
  /// makes partitioned methods explicit.
  template <class F>
  Field(std::string name, std::vector<std::string> names, F f, bool separable = false)
      : name_(std::move(name)), names_(std::move(names)), separable_(separable) {
    auto shared = std::make_shared<F>(std::move(f));
    std::apply([&](auto&... fn) { ((fn = [shared](const auto& y) { return (*shared)(y); }), ...); }, fns_);
    if constexpr (detail::EvaluatesJetBatches<F>) jets_ = [shared](const autodiff::JetBatch& y) { return shared->jets(y); };
  }

  /// f(y); y has dim() columns.
  template <class State>
  State operator()(const State& y) const {
    const auto& fn = std::get<std::function<State(const State&)>>(fns_);
    if (!fn) throw std::logic_error("field used before it was defined");
    if (y.cols() != dim())
      throw std::invalid_argument("field " + name_ + ": state of dimension " + std::to_string(y.cols()) +
                                  ", expected " + std::to_string(dim()));
    return fn(y);
  }

  /// f on every jet of a batch of points (y.cols() == dim()).
  autodiff::JetBatch operator()(const autodiff::JetBatch& y) const;

  const std::string& name() const { return name_; }
  std::size_t dim() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  bool separable() const { return separable_; }

 private:
  std::string name_;
  std::vector<std::string> names_;
  bool separable_ = false;
  typename detail::Evaluators<FieldStates>::type fns_;
  std::function<autodiff::JetBatch(const autodiff::JetBatch&)> jets_;  ///< empty: point by point
};

/// A callable on states made from a formula on components, vector<C> → vector<C>: the
/// form in which systems and expressions are written.
template <class F>
auto componentwise(F formula) {
  return [formula](const auto& y) {
    using State = std::decay_t<decltype(y)>;
    return State(join(formula(split(y))));
  };
}

}  // namespace nimde::ode
