// A model file whose "network" is one linear layer f(y) = W y with W the rotation
// [[0, −1], [1, 0]], i.e. exactly the harmonic oscillator f = (−q, p): its IMDE and inverse
// modified Hamiltonian are known in closed form, so commands reading models can be checked by hand.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nimde::test {

/// The model file's JSON: trained on "harmonic" with `method`, S = 2 steps over T = 0.2 (h = 0.1).
inline nlohmann::json rotation_model(const std::string& method) {
  return {{"format", "nimde-model"}, {"version", 1}, {"dim", 2}, {"dtype", "f64"},
          {"system", "harmonic"}, {"method", method}, {"steps", 2}, {"T", 0.2}, {"seed", 0},
          {"names", {"p", "q"}},
          {"layers", {{{"weight", {{0.0, -1.0}, {1.0, 0.0}}}, {"bias", {0.0, 0.0}}, {"activation", "identity"}}}}};
}

}  // namespace nimde::test
