// The model-file reader on arbitrary bytes: it throws std::invalid_argument (or nlohmann's
// parse error, which load_model turns into one) or returns a model whose network evaluates.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "nn/mlp.hpp"
#include "nn/model_file.hpp"
#include "ode/checked_input.hpp"
#include "ode/field.hpp"

using namespace nimde;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json j;
  try {
    j = nimde::ode::parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const nlohmann::json::exception&) {
    return 0;
  } catch (const std::invalid_argument&) {  // nested too deeply
    return 0;
  }
  try {
    const nimde::nn::Model m = nimde::nn::model_from_json(j);
    if (m.steps < 1 || !(m.h() > 0) || m.dim() != m.net.weights.front().shape()[1]) std::abort();
    const nimde::ode::Field f = nimde::nn::MlpField(std::make_shared<nimde::nn::MlpParams>(m.net)).field("fuzz", m.names);
    const autodiff::Array<double> y(autodiff::zeros<double>(2, m.dim()));
    if (f(y).value().shape() != y.value().shape()) std::abort();
    (void)nimde::nn::to_json(m);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
