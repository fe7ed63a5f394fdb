// The elementwise functions of one argument: one list, from which every number type gets them.
//
// Each line names a function, its rule and where it is smooth, with its derivative beside it.
// The rule (autodiff/detail/rules.hpp) states the value and the derivative once; from the list
// and the rules come
//   Var<T> f(const Var<T>&)      taped, with its backward           (ops.hpp)
//   Array<T> f(const Array<T>&)  eager, with the same bits          (array.hpp)
//   Jet f(const Jet&)            Taylor coefficients to any order   (jet.hpp)
//   S f(S), S float or double    the same rule on one number        (below)
// and the function `f(...)` of the expression language (ode/expression.hpp). Adding a function
// is one rule and one line here; the tests take every function from this list.
//
// Where a function is smooth, and tests draw its arguments: real (everywhere), positive (x > 0),
// nonzero (x ≠ 0: a kink at 0), half_pi (|x| < π/2).
#pragma once

#include <concepts>

// X(name, Rule, domain)
#define NIMDE_ELEMENTWISE_FUNCTIONS(X)                                                    \
  X(tanh, Tanh, real)          /* tanh' = 1 − tanh²                                   */ \
  X(sigmoid, Sigmoid, real)    /* σ' = σ (1 − σ),          σ(x) = 1 / (1 + e^−x)       */ \
  X(relu, Relu, nonzero)       /* relu' = [x > 0],          relu(x) = max(x, 0)        */ \
  X(elu, Elu, nonzero)         /* elu' = [x > 0] + [x ≤ 0] eˣ, elu(x) = x or eˣ − 1    */ \
  X(softplus, Softplus, real)  /* softplus' = σ,            softplus(x) = log(1 + eˣ)  */ \
  X(sin, Sin, real)            /* sin' = cos                                          */ \
  X(cos, Cos, real)            /* cos' = −sin                                         */ \
  X(tan, Tan, half_pi)         /* tan' = 1 + tan²                                     */ \
  X(atan, Atan, real)          /* atan' = 1 / (1 + x²)                                */ \
  X(abs, Abs, nonzero)         /* abs' = sign x                                       */ \
  X(exp, Exp, real)            /* exp' = exp                                          */ \
  X(log, Log, positive)        /* log' = 1/x                                          */ \
  X(sqrt, Sqrt, positive)      /* sqrt' = 1 / (2 sqrt x)                              */ \
  X(square, Square, real)      /* square' = 2x                                        */

namespace nimde::autodiff {

// On one number (float or double): the std function where there is one, bit for bit.
#define NIMDE_DECLARE_SCALAR_FUNCTION(name, Rule, domain) template <std::floating_point S> S name(S x);
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DECLARE_SCALAR_FUNCTION)
#undef NIMDE_DECLARE_SCALAR_FUNCTION

}  // namespace nimde::autodiff
