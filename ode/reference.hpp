// Reference flows φ_T(y): the accurate solutions that data targets and error measurements are
// compared against. The paper makes its targets with a fixed-step method and many substeps
// (sv6 with 10 substeps for the pendulum, DataSetup in systems.hpp); an adaptive pair to a
// tolerance is the other way.
#pragma once

#include <string>

#include "ode/adaptive.hpp"

namespace nimde::ode {

/// φ_T(y) by `substeps` steps of size T/substeps of the named fixed-step method (method_names()),
/// or, for dopri5 and dop853, adaptively to the tolerances of `options` (substeps is then unused).
/// State = Array<double>, Array<float> or Point<double>. Throws std::invalid_argument for an
/// unknown method or substeps < 1.
template <class State>
State reference_flow(const Field& f, const State& y, double T, const std::string& method, int substeps,
                     const AdaptiveOptions& options = {});

extern template Array<double> reference_flow(const Field&, const Array<double>&, double, const std::string&, int,
                                             const AdaptiveOptions&);
extern template Array<float> reference_flow(const Field&, const Array<float>&, double, const std::string&, int,
                                            const AdaptiveOptions&);
extern template Point<double> reference_flow(const Field&, const Point<double>&, double, const std::string&, int,
                                             const AdaptiveOptions&);

}  // namespace nimde::ode
