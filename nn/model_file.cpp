#include "nn/model_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "nn/optimizer.hpp"
#include "nn/settings.hpp"
#include "ode/checked_input.hpp"
#include "ode/domain.hpp"
#include "ode/method.hpp"

namespace nimde::nn {

using nlohmann::json;

namespace {

using ode::json_integer;
using ode::json_key;
using ode::json_number;
using ode::json_string;
using ode::require;
using ode::require_json;

constexpr double kMaxDouble = std::numeric_limits<double>::max();
constexpr std::size_t kMaxNameLength = 256;

/// A finite number (any magnitude); `key()` names it, built only for an error (a model has
/// millions of weights).
template <class Key>
double finite(const json& v, Key key) {
  if (v.is_number() && std::isfinite(v.get<double>())) return v.get<double>();
  return json_number(v, key(), -kMaxDouble, kMaxDouble);
}

/// The keys of "training" that eval and compare use, checked at reading time so that a bad
/// value is refused here rather than becoming an allocation or a loop. Others pass through.
void check_training(const json& t) {
  require_json(t.is_object(), "training", t, "must be an object");
  if (t.contains("iterations")) json_integer(t.at("iterations"), "training.iterations", 0, kMaxIterations);
  for (const char* key : {"points", "test_points"})
    if (t.contains(key)) json_integer(t.at(key), std::string("training.") + key, 1, kMaxPoints);
  if (t.contains("noise")) json_number(t.at("noise"), "training.noise", 0, kMaxDouble);
  if (t.contains("optimizer")) value_of(kOptimizerNames, json_string(t.at("optimizer"), "training.optimizer", 64), "training.optimizer");
  for (const char* key : {"train_loss", "test_loss"})
    if (t.contains(key) && !t.at(key).is_null()) json_number(t.at(key), std::string("training.") + key, 0, kMaxDouble);
}

}  // namespace

ode::System Model::true_system() const {
  if (system == "expression") return ode::expression_system(field, field_params, domain, canonical);
  return ode::system(system);
}

ode::System Model::learned_system(const std::string& name) const {
  ode::System truth = true_system();
  ode::System s = truth;
  s.name = name;
  s.description = "the network of " + name + " (" + std::string(name_of(kModelKindNames, net.kind)) + ")";
  s.field = MlpField(std::make_shared<MlpParams>(net)).field(name, names);
  s.hamiltonian = nullptr;
  s.invariants.clear();
  if (net.kind == ModelKind::hnn) {
    auto params = std::make_shared<const MlpParams>(net);
    s.invariants.push_back({"H_theta", [params](const std::vector<double>& y) {
                              Tensor<double> row = autodiff::zeros<double>(1, y.size());
                              std::copy(y.begin(), y.end(), row.begin());
                              return hamiltonian(*params, row)(0, 0);
                            }});
  }
  for (const ode::Invariant& inv : truth.invariants) s.invariants.push_back(inv);
  return s;
}

json to_json(const Model& m) {
  json layers = json::array();
  for (std::size_t l = 0; l < m.net.layers(); ++l) {
    const Tensor<double>& W = m.net.weights[l];
    json w = json::array();
    for (std::size_t i = 0; i < W.shape()[0]; ++i) {
      json row = json::array();
      for (std::size_t k = 0; k < W.shape()[1]; ++k) row.push_back(W(i, k));
      w.push_back(row);
    }
    json b = json::array();
    for (double v : m.net.biases[l]) b.push_back(v);
    layers.push_back({{"weight", w}, {"bias", b}, {"activation", std::string(autodiff::activation_name(m.net.activations[l]))}});
  }
  json j{{"format", "nimde-model"}, {"version", 1},     {"kind", name_of(kModelKindNames, m.net.kind)},
         {"dim", m.dim()},          {"dtype", m.dtype},
         {"system", m.system},      {"method", m.method}, {"steps", m.steps}, {"T", m.T},
         {"seed", m.seed},          {"names", m.names},   {"layers", layers}, {"training", m.training}};
  if (m.system == "expression") {
    j["field"] = m.field;
    j["params"] = m.field_params;
    json d = json::array();
    for (auto [lo, hi] : m.domain) d.push_back({lo, hi});
    j["domain"] = d;
    j["canonical"] = m.canonical;
  }
  return j;
}

Model model_from_json(const json& j) {
  require(j.is_object(), "model file", "", "is not a JSON object");
  const std::string format = json_string(json_key(j, "format"), "format", 64);
  require(format == "nimde-model", "format", format, "must be \"nimde-model\"");
  json_integer(json_key(j, "version"), "version", 1, 1);
  Model m;
  if (j.contains("kind")) m.net.kind = value_of(kModelKindNames, json_string(j.at("kind"), "kind", 64), "kind");
  const auto d = static_cast<std::size_t>(json_integer(json_key(j, "dim"), "dim", 1, kMaxDim));
  m.dtype = json_string(json_key(j, "dtype"), "dtype", 64);
  parse_dtype(m.dtype);
  m.system = json_string(json_key(j, "system"), "system", kMaxNameLength);
  m.method = json_string(json_key(j, "method"), "method", kMaxNameLength);
  try {
    ode::method(m.method);
  } catch (const std::invalid_argument& e) {
    throw ode::SettingError("method", ode::shown(m.method), e.what());
  }
  m.steps = static_cast<int>(json_integer(json_key(j, "steps"), "steps", 1, kMaxSteps));
  m.T = json_number(json_key(j, "T"), "T", 0, kMaxDouble);
  require(m.T > 0, "T", m.T, "must be positive");
  require(std::isfinite(m.h()) && m.h() > 0, "T", m.T, "gives no usable step T/steps");
  if (j.contains("seed")) {
    const json& seed = j["seed"];
    ode::require_json(seed.is_number_unsigned() || (seed.is_number_integer() && seed.get<std::int64_t>() >= 0), "seed",
                      seed, "must be an integer from 0 to 18446744073709551615");
    m.seed = seed.get<std::uint64_t>();
  }
  const json& names = json_key(j, "names");
  require_json(names.is_array() && names.size() == d, "names", names,
          "must be an array of " + std::to_string(d) + " names (one per dimension)");
  for (std::size_t k = 0; k < d; ++k)
    m.names.push_back(json_string(names[k], "names[" + std::to_string(k) + "]", kMaxNameLength));
  if (m.system == "expression") {
    m.field = json_string(json_key(j, "field"), "field");
    const json params = j.value("params", json::object());
    require_json(params.is_object(), "params", params, "must be an object of numbers");
    for (const auto& item : params.items())
      m.field_params[item.key()] = finite(item.value(), [&] { return "params." + item.key(); });
    m.domain = ode::domain_from_json(json_key(j, "domain"), "domain");
    if (j.contains("canonical")) {
      require_json(j.at("canonical").is_boolean(), "canonical", j.at("canonical"), "must be true or false");
      m.canonical = j.at("canonical").get<bool>();
    }
  }
  // The system must exist and agree with the network's dimension and names.
  ode::System sys;
  try {
    sys = m.true_system();
  } catch (const std::invalid_argument& e) {
    if (m.system == "expression") throw;  // the expression's error quotes the field already
    throw ode::SettingError("system", ode::shown(m.system), e.what());
  }
  require(sys.dim() == d, "dim", d, "the system " + ode::shown(m.system) + " has dimension " + std::to_string(sys.dim()));
  require_json(sys.field.names() == m.names, "names", names, "are not the system's variables");
  const bool hnn = m.net.kind == ModelKind::hnn;
  require(!hnn || sys.canonical, "kind", "hnn", "needs a system in canonical coordinates; " + ode::shown(m.system) + " is not");
  if (m.system == "expression")
    require_json(m.domain.size() == d, "domain", j.at("domain"), "must have one range per dimension");
  m.training = j.value("training", json::object());
  check_training(m.training);
  const json& layers = json_key(j, "layers");
  require_json(layers.is_array() && !layers.empty() && layers.size() <= std::size_t(kMaxDepth) + 1, "layers",
          layers, "must be an array of 1 to " + std::to_string(kMaxDepth + 1) + " layers");
  std::size_t in = d;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string where = "layers[" + std::to_string(l) + "]";
    const json& w = json_key(layers[l], "weight");
    const json& b = json_key(layers[l], "bias");
    require_json(w.is_array() && !w.empty() && w.size() <= std::size_t(std::max(kMaxWidth, kMaxDim)), where + ".weight",
            w, "must be an array of 1 to " + std::to_string(kMaxWidth) + " rows");
    const std::size_t out = w.size();
    // Shapes first: the tensors are allocated only for entries the file really holds.
    for (std::size_t i = 0; i < out; ++i)
      if (!w[i].is_array() || w[i].size() != in)
        require_json(false, where + ".weight[" + std::to_string(i) + "]", w[i],
                "must have " + std::to_string(in) + " entries");
    if (!b.is_array() || b.size() != out)
      require_json(false, where + ".bias", b, "must have " + std::to_string(out) + " entries");
    Tensor<double> W = autodiff::zeros<double>(out, in), B = autodiff::zeros<double>(1, out);
    for (std::size_t i = 0; i < out; ++i)
      for (std::size_t k = 0; k < in; ++k)
        W(i, k) = finite(w[i][k], [&] { return where + ".weight[" + std::to_string(i) + "][" + std::to_string(k) + "]"; });
    for (std::size_t i = 0; i < out; ++i)
      B(0, i) = finite(b[i], [&] { return where + ".bias[" + std::to_string(i) + "]"; });
    const std::string activation = json_string(json_key(layers[l], "activation"), where + ".activation", 64);
    autodiff::Activation act;
    try {
      act = autodiff::parse_activation(activation);
    } catch (const std::invalid_argument& e) {
      throw ode::SettingError(where + ".activation", ode::shown(activation), e.what());
    }
    m.net.weights.push_back(std::move(W));
    m.net.biases.push_back(std::move(B));
    m.net.activations.push_back(act);
    in = out;
  }
  const std::size_t outputs = hnn ? 1 : d;
  require(in == outputs, "layers", layers.size(),
          "end with " + std::to_string(in) + " outputs, expected " + (hnn ? "1 (H)" : "dim " + std::to_string(d)));
  if (hnn)
    for (std::size_t l = 0; l + 1 < m.net.layers(); ++l)
      check_model_kind(ModelKind::hnn, d, m.net.activations[l]);
  return m;
}

void save_model(const Model& m, const std::string& path) { write_file_atomically(path, to_json(m).dump(1) + "\n"); }

Model load_model(const std::string& path) {
  // Some 20 million weights; beyond that a corrupt file, whose parse would take gigabytes.
  const std::string text = ode::read_text_file(path, std::size_t{512} << 20);
  return ode::reading_file(path, [&] { return model_from_json(ode::parse_json(text)); });
}

}  // namespace nimde::nn
