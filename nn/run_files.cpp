#include "nn/run_files.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "nn/optimizer.hpp"
#include "nn/settings.hpp"
#include "ode/checked_input.hpp"
#include "ode/domain.hpp"
#include "ode/systems.hpp"

namespace nimde::nn {

using nlohmann::json;
using ode::json_integer;
using ode::json_key;
using ode::json_number;
using ode::json_string;
using ode::require;
using ode::require_json;
using ode::shown;

namespace {

constexpr double kMaxDouble = std::numeric_limits<double>::max();

json history_json(const std::vector<std::array<double, 4>>& history) {
  json h = json::array();
  for (const auto& row : history) {
    json r = json::array();
    for (double v : row) r.push_back(std::isfinite(v) ? json(v) : json(nullptr));
    h.push_back(std::move(r));
  }
  return h;
}

// ---- run.json ---------------------------------------------------------------------------------

/// j[key] read by `read` into `out` when present; `out` keeps its default otherwise.
template <class V, class Read>
void read_key(const json& j, const char* key, V& out, Read read) {
  if (j.contains(key)) out = static_cast<V>(read(j.at(key), key));
}

auto integer(std::int64_t lo, std::int64_t hi) {
  return [lo, hi](const json& v, const char* key) { return json_integer(v, key, lo, hi); };
}
auto number(double lo, double hi) {
  return [lo, hi](const json& v, const char* key) { return json_number(v, key, lo, hi); };
}
auto text(std::size_t max_length) {
  return [max_length](const json& v, const char* key) { return json_string(v, key, max_length); };
}
template <class E, std::size_t N>
auto name_in(const NameTable<E, N>& table) {
  return [&table](const json& v, const char* key) { return value_of(table, json_string(v, key, 64), key); };
}

bool flag(const json& v, const char* key) {
  require_json(v.is_boolean(), key, v, "must be true or false");
  return v.get<bool>();
}

std::uint64_t seed_of(const json& v, const char* key) {
  require_json(v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0), key, v,
          "must be an integer from 0 to 18446744073709551615");
  return v.get<std::uint64_t>();
}

/// A parameter map {"a": 0.5, ...}.
std::map<std::string, double> field_params_of(const json& v, const char* key) {
  require_json(v.is_object(), key, v, "must be an object of numbers");
  std::map<std::string, double> params;
  for (const auto& [name, value] : v.items())
    params[json_string(json(name), std::string(key) + " name", 256)] =
        json_number(value, std::string(key) + "." + name, -kMaxDouble, kMaxDouble);
  return params;
}

/// [[lo, hi], ...]; run.json of version 0.1.0 wrote the box as the text "lo:hi,...".
ode::Domain domain_of(const json& v, const char* key) {
  if (!v.is_string()) return ode::domain_from_json(v, key);
  const std::string& s = v.get_ref<const std::string&>();
  return s.empty() ? ode::Domain{} : ode::parse_domain(s, key);  // empty: a built-in system's run
}

}  // namespace

json to_json(const TrainConfig& c) {
  return json{{"system", c.system},       {"field", c.field},         {"params", c.field_params},
              {"domain", c.domain},       {"canonical", c.canonical}, {"model", name_of(kModelKindNames, c.model)},
              {"method", c.method},       {"steps", c.steps},
              {"T", c.T},                 {"points", c.points},       {"test_points", c.test_points},
              {"width", c.width},         {"depth", c.depth},         {"activation", std::string(autodiff::activation_name(c.activation))},
              {"init", init_name(c.init)}, {"optimizer", optimizer_name(c.optimizer)},
              {"schedule", schedule_name(c.schedule)},
              {"lr", c.lr},               {"lr_decay", c.lr_decay},   {"momentum", c.momentum},
              {"iterations", c.iterations}, {"dtype", dtype_name(c.dtype)}, {"backprop", name_of(kBackpropNames, c.backprop)}, {"threads", c.threads},
              {"seed", c.seed},           {"checkpoint_every", c.checkpoint_every},
              {"log_every", c.log_every}, {"noise", c.noise},         {"batch", c.batch},
              {"out", c.out}};
}

TrainConfig config_from_json(const json& j) {
  require_json(j.is_object(), "config", j, "must be an object of settings");
  TrainConfig c;
  read_key(j, "system", c.system, text(256));
  read_key(j, "field", c.field, text(std::size_t{1} << 20));
  read_key(j, "params", c.field_params, field_params_of);
  read_key(j, "domain", c.domain, domain_of);
  read_key(j, "canonical", c.canonical, flag);
  read_key(j, "model", c.model, name_in(kModelKindNames));
  read_key(j, "method", c.method, text(256));
  read_key(j, "steps", c.steps, integer(1, kMaxSteps));
  read_key(j, "T", c.T, number(0, kMaxDouble));  // 0: the system's
  read_key(j, "points", c.points, integer(0, kMaxPoints));
  read_key(j, "test_points", c.test_points, integer(0, kMaxPoints));
  read_key(j, "width", c.width, integer(1, kMaxWidth));
  read_key(j, "depth", c.depth, integer(0, kMaxDepth));
  if (j.contains("activation")) {
    const std::string name = json_string(j.at("activation"), "activation", 64);
    try {
      c.activation = autodiff::parse_activation(name);
    } catch (const std::invalid_argument& e) {
      throw ode::SettingError("activation", ode::shown(name), e.what());
    }
  }
  read_key(j, "init", c.init, name_in(kInitNames));
  read_key(j, "optimizer", c.optimizer, name_in(kOptimizerNames));
  read_key(j, "schedule", c.schedule, name_in(kScheduleNames));
  read_key(j, "lr", c.lr, number(-kMaxDouble, kMaxDouble));
  read_key(j, "lr_decay", c.lr_decay, number(-kMaxDouble, kMaxDouble));
  read_key(j, "momentum", c.momentum, number(-kMaxDouble, kMaxDouble));
  read_key(j, "iterations", c.iterations, integer(0, kMaxIterations));
  read_key(j, "dtype", c.dtype, name_in(kDTypeNames));
  read_key(j, "backprop", c.backprop, name_in(kBackpropNames));
  read_key(j, "threads", c.threads, integer(0, kMaxThreads));
  read_key(j, "seed", c.seed, seed_of);
  read_key(j, "checkpoint_every", c.checkpoint_every, integer(1, kMaxIterations));
  read_key(j, "log_every", c.log_every, integer(1, kMaxIterations));
  read_key(j, "noise", c.noise, number(0, kMaxDouble));
  read_key(j, "batch", c.batch, integer(0, kMaxPoints));
  read_key(j, "out", c.out, text(4096));
  return c;
}

TrainConfig run_config_from_text(const std::string& text) {
  const json run = ode::parse_json(text);
  require(run.is_object(), "run.json", "", "is not a JSON object");
  const std::int64_t version = run.contains("version") ? json_integer(run.at("version"), "version", 1, 1'000'000) : 1;
  require(version <= kRunFileVersion, "version", version,
          "this nimde reads run files up to version " + std::to_string(kRunFileVersion));
  return config_from_json(json_key(run, "config"));
}

TrainConfig load_run_config(const std::string& path) {
  const std::string text = ode::read_text_file(path, std::size_t{64} << 20);
  return ode::reading_file(path, [&] { return run_config_from_text(text); });
}

// ---- checkpoint.json ----------------------------------------------------------------------------

namespace {

std::size_t system_dim(const TrainConfig& c) {
  return c.system.empty() ? ode::expression_system(c.field, c.field_params, c.domain, c.canonical).dim()
                          : ode::system(c.system).dim();
}

/// A network of the run's shape (as make_mlp builds it), all zeros: no initialiser is run.
MlpParams shaped_like_run(const TrainConfig& c) {
  const std::size_t dim = system_dim(c);
  MlpParams p;
  p.kind = c.model;
  std::size_t in = dim;
  for (std::size_t l = 0; l <= c.depth; ++l) {
    const std::size_t out = l == c.depth ? (c.model == ModelKind::hnn ? 1 : dim) : c.width;
    p.weights.push_back(autodiff::zeros<double>(out, in));
    p.biases.push_back(autodiff::zeros<double>(1, out));
    p.activations.push_back(l == c.depth ? autodiff::Activation::identity : c.activation);
    in = out;
  }
  return p;
}

/// The run's network, shaped by its settings, with the values of j (W₀, b₀, W₁, b₁, … flattened).
MlpParams network_of(const json& j, const MlpParams& like, const std::string& key) {
  require_json(j.is_array() && j.size() == like.layers(), key, j,
          "must hold " + std::to_string(like.layers()) + " layers, as the run's network has");
  MlpParams p = like;
  for (std::size_t l = 0; l < like.layers(); ++l) {
    const std::string layer = key + "[" + std::to_string(l) + "]";
    const json& entry = j[l];
    for (auto [name, tensor] : {std::pair{"weight", &p.weights[l]}, std::pair{"bias", &p.biases[l]}}) {
      const std::string where = layer + "." + name;
      const json& v = json_key(entry, name);
      if (!v.is_array() || v.size() != tensor->size())
        require_json(false, where, v, "must have " + std::to_string(tensor->size()) + " entries, as the run's network");
      for (std::size_t i = 0; i < tensor->size(); ++i) {
        if (v[i].is_number() && std::isfinite(v[i].get<double>())) {
          tensor->data()[i] = v[i].get<double>();
          continue;
        }
        json_number(v[i], where + "[" + std::to_string(i) + "]", -kMaxDouble, kMaxDouble);
      }
    }
  }
  return p;
}

std::vector<std::array<double, 4>> history_of(const json& j, long iteration) {
  require_json(j.is_array() && j.size() <= static_cast<std::size_t>(iteration) + 1, "history", j,
          "must be an array of at most one row per iteration done (" + std::to_string(iteration) + ")");
  std::vector<std::array<double, 4>> history;
  double last = 0;
  for (std::size_t r = 0; r < j.size(); ++r) {
    const std::string row = "history[" + std::to_string(r) + "]";
    require_json(j[r].is_array() && j[r].size() == 4, row, j[r], "must be [iteration, train loss, test loss, lr]");
    // The trainer writes the iteration as a double (the row is four doubles): a whole number.
    const double at = json_number(j[r][0], row + "[0]", 1, static_cast<double>(iteration));
    require(at == std::floor(at), row + "[0]", at, "must be a whole number of iterations");
    require(at > last, row + "[0]", at, "must follow iteration " + shown(last));
    last = at;
    const double loss = json_number(j[r][1], row + "[1]", 0, kMaxDouble);
    const double test = j[r][2].is_null() ? INFINITY : json_number(j[r][2], row + "[2]", 0, kMaxDouble);
    const double lr = json_number(j[r][3], row + "[3]", 0, kMaxDouble);
    history.push_back({at, loss, test, lr});
  }
  return history;
}

}  // namespace

Checkpoint checkpoint_from_json(const json& j, const TrainConfig& c) {
  require(j.is_object(), "checkpoint", "", "is not a JSON object");
  Checkpoint k;
  k.iteration = static_cast<long>(json_integer(json_key(j, "iteration"), "iteration", 0, c.iterations));
  const MlpParams like = shaped_like_run(c);
  k.params = network_of(json_key(j, "params"), like, "params");
  k.best = network_of(json_key(j, "best_params"), like, "best_params");
  const json& best_loss = json_key(j, "best_loss");
  k.best_loss = best_loss.is_null() ? INFINITY : json_number(best_loss, "best_loss", 0, kMaxDouble);
  k.best_iteration = j.contains("best_iteration")
                         ? static_cast<long>(json_integer(j["best_iteration"], "best_iteration", 0, k.iteration))
                         : k.iteration;
  k.seconds = json_number(json_key(j, "seconds"), "seconds", 0, kMaxDouble);
  k.history = history_of(json_key(j, "history"), k.iteration);
  // The run's own optimiser must accept the state: its shapes are those of the network.
  k.optimizer = json_key(j, "optimizer");
  MlpParams scratch = like;
  std::vector<Tensor<double>*> tensors;
  for (std::size_t l = 0; l < scratch.layers(); ++l) {
    tensors.push_back(&scratch.weights[l]);
    tensors.push_back(&scratch.biases[l]);
  }
  OptimizerOptions options;
  options.sgd = {c.momentum, 0, false};
  try {
    make_optimizer(c.optimizer, tensors, options)->load_state(k.optimizer);
  } catch (const std::invalid_argument& e) {
    throw ode::SettingError("optimizer", "", e.what());
  }
  return k;
}

Checkpoint load_checkpoint(const std::string& path, const TrainConfig& c) {
  // Two networks and the optimiser's moments: some 30 values per parameter, 25 bytes each.
  const std::size_t d = system_dim(c), w = c.width;
  const std::size_t parameters = c.depth == 0 ? d * d + d : (d + 1) * w + (c.depth - 1) * (w + 1) * w + (w + 1) * d;
  const std::string text = ode::read_text_file(path, (std::size_t{1} << 20) + 1000 * parameters);
  return ode::reading_file(path, [&] { return checkpoint_from_json(ode::parse_json(text), c); });
}

json to_json(const Checkpoint& k) {
  const auto tensors = [](const MlpParams& p) {
    json layers = json::array();
    for (std::size_t l = 0; l < p.layers(); ++l) {
      layers.push_back({{"weight", std::vector<double>(p.weights[l].begin(), p.weights[l].end())},
                        {"bias", std::vector<double>(p.biases[l].begin(), p.biases[l].end())}});
    }
    return layers;
  };
  return json{{"iteration", k.iteration},
              {"params", tensors(k.params)},
              {"best_params", tensors(k.best)},
              {"best_loss", std::isfinite(k.best_loss) ? json(k.best_loss) : json(nullptr)},
              {"best_iteration", k.best_iteration},
              {"optimizer", k.optimizer},
              {"seconds", k.seconds},
              {"history", history_json(k.history)}};
}

}  // namespace nimde::nn
