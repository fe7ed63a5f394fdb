// The functions of the list on one number: each rule's value, which for a number is the std
// function where there is one (xsimd's functions of a number are the std ones).
#include "autodiff/functions.hpp"

#include "autodiff/detail/rules.hpp"

namespace nimde::autodiff {

#define NIMDE_DEFINE_SCALAR_FUNCTION(name, Rule, domain)                   \
  template <std::floating_point S> S name(S x) { return detail::Rule::value(x); } \
  template float name(float);                                             \
  template double name(double);
NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_DEFINE_SCALAR_FUNCTION)
#undef NIMDE_DEFINE_SCALAR_FUNCTION

}  // namespace nimde::autodiff
