#include "ode/reference.hpp"

#include <algorithm>
#include <stdexcept>

#include "ode/method.hpp"

namespace nimde::ode {

template <class State>
State reference_flow(const Field& f, const State& y, double T, const std::string& name, int substeps,
                     const AdaptiveOptions& options) {
  if (is_adaptive_method(name)) return integrate_adaptive(name, f, y, 0.0, {T}, options).back();
  const std::vector<std::string> fixed = method_names();
  if (std::find(fixed.begin(), fixed.end(), name) == fixed.end()) {
    std::string known;
    for (const std::vector<std::string>& list : {fixed, adaptive_method_names()})
      for (const std::string& n : list) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("reference flow: unknown method '" + name + "' (known: " + known + ")");
  }
  if (substeps < 1) throw std::invalid_argument("reference flow: substeps must be >= 1, got " + std::to_string(substeps));
  return integrate(method(name), f, y, T / substeps, substeps);
}

template Array<double> reference_flow(const Field&, const Array<double>&, double, const std::string&, int,
                                      const AdaptiveOptions&);
template Array<float> reference_flow(const Field&, const Array<float>&, double, const std::string&, int,
                                     const AdaptiveOptions&);
template Point<double> reference_flow(const Field&, const Point<double>&, double, const std::string&, int,
                                      const AdaptiveOptions&);

}  // namespace nimde::ode
