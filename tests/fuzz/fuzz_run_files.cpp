// The readers of a run directory on arbitrary bytes, as run.json (then resolve(), the check a
// resume makes) and as checkpoint.json of three small runs (one per optimiser): each throws
// std::invalid_argument or returns values within their ranges.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "nn/run_files.hpp"
#include "ode/checked_input.hpp"

using namespace nimde;

namespace {

nn::TrainConfig small_run(nn::OptimizerKind optimizer) {
  nn::TrainConfig c;
  c.system = "pendulum";
  c.width = 2;
  c.depth = 1;
  c.iterations = 100;
  c.optimizer = optimizer;
  c.out = "unused";
  return nn::resolve(c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const nn::TrainConfig runs[] = {small_run(nn::OptimizerKind::adam), small_run(nn::OptimizerKind::sgd),
                                         small_run(nn::OptimizerKind::lbfgs)};
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    nn::TrainConfig c = nn::run_config_from_text(text);
    c.out = "unused";
    (void)nn::resolve(c);
  } catch (const std::invalid_argument&) {
  } catch (const nlohmann::json::exception&) {  // not JSON at all: load_run_config names the file
  }
  nlohmann::json j;
  try {
    j = ode::parse_json(text);
  } catch (const nlohmann::json::exception&) {
    return 0;
  } catch (const std::invalid_argument&) {  // nested too deeply
    return 0;
  }
  for (const nn::TrainConfig& c : runs) {
    try {
      const nn::Checkpoint k = nn::checkpoint_from_json(j, c);
      if (k.iteration < 0 || k.iteration > c.iterations || !(k.seconds >= 0)) std::abort();
      (void)nn::to_json(k);
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
