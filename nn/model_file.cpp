#include "nn/model_file.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nimde::nn {

using nlohmann::json;

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw std::invalid_argument("model file: key \"" + key + "\" " + why);
}

const json& need(const json& j, const std::string& key, const std::string& where = "") {
  const std::string name = where.empty() ? key : where + "." + key;
  if (!j.is_object() || !j.contains(key)) bad(name, "is missing");
  return j.at(key);
}

double finite(const json& v, const std::string& key) {
  if (!v.is_number()) bad(key, "is not a number");
  const double d = v.get<double>();
  if (!std::isfinite(d)) bad(key, "is not finite");
  return d;
}

}  // namespace

ode::System Model::true_system() const {
  if (system == "expression") return ode::expression_system(field, field_params, domain);
  return ode::system(system);
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
  json j{{"format", "nimde-model"}, {"version", 1},     {"dim", m.dim()},   {"dtype", m.dtype},
         {"system", m.system},      {"method", m.method}, {"steps", m.steps}, {"T", m.T},
         {"seed", m.seed},          {"names", m.names},   {"layers", layers}, {"training", m.training}};
  if (m.system == "expression") {
    j["field"] = m.field;
    j["params"] = m.field_params;
    json d = json::array();
    for (auto [lo, hi] : m.domain) d.push_back({lo, hi});
    j["domain"] = d;
  }
  return j;
}

Model model_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("model file: not a JSON object");
  if (need(j, "format") != "nimde-model") bad("format", "is not \"nimde-model\"");
  if (need(j, "version") != 1) bad("version", "is " + need(j, "version").dump() + ", this program reads version 1");
  Model m;
  const json& dim = need(j, "dim");
  if (!dim.is_number_unsigned() || dim.get<std::size_t>() == 0) bad("dim", "is not a positive integer");
  const std::size_t d = dim.get<std::size_t>();
  m.dtype = need(j, "dtype").get<std::string>();
  if (m.dtype != "f32" && m.dtype != "f64") bad("dtype", "is \"" + m.dtype + "\" (expected f32 or f64)");
  m.system = need(j, "system").get<std::string>();
  m.method = need(j, "method").get<std::string>();
  const json& steps = need(j, "steps");
  if (!steps.is_number_integer() || steps.get<int>() < 1) bad("steps", "is not a positive integer");
  m.steps = steps.get<int>();
  m.T = finite(need(j, "T"), "T");
  if (!(m.T > 0)) bad("T", "is not positive");
  m.seed = j.value("seed", std::uint64_t{0});
  m.names = need(j, "names").get<std::vector<std::string>>();
  if (m.names.size() != d) bad("names", "has " + std::to_string(m.names.size()) + " entries for dim " + std::to_string(d));
  if (m.system == "expression") {
    m.field = need(j, "field").get<std::string>();
    m.field_params = j.value("params", std::map<std::string, double>{});
    for (const auto& r : need(j, "domain")) m.domain.emplace_back(r.at(0).get<double>(), r.at(1).get<double>());
  }
  m.training = j.value("training", json::object());
  const json& layers = need(j, "layers");
  if (!layers.is_array() || layers.empty()) bad("layers", "is not a non-empty array");
  std::size_t in = d;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string where = "layers[" + std::to_string(l) + "]";
    const json& w = need(layers[l], "weight", where);
    const json& b = need(layers[l], "bias", where);
    if (!w.is_array() || w.empty()) bad(where + ".weight", "is not a non-empty array of rows");
    const std::size_t out = w.size();
    Tensor<double> W = autodiff::zeros<double>(out, in), B = autodiff::zeros<double>(1, out);
    for (std::size_t i = 0; i < out; ++i) {
      if (!w[i].is_array() || w[i].size() != in)
        bad(where + ".weight[" + std::to_string(i) + "]", "does not have " + std::to_string(in) + " entries");
      for (std::size_t k = 0; k < in; ++k) W(i, k) = finite(w[i][k], where + ".weight[" + std::to_string(i) + "][" + std::to_string(k) + "]");
    }
    if (!b.is_array() || b.size() != out) bad(where + ".bias", "does not have " + std::to_string(out) + " entries");
    for (std::size_t i = 0; i < out; ++i) B(0, i) = finite(b[i], where + ".bias[" + std::to_string(i) + "]");
    autodiff::Activation act;
    try {
      act = autodiff::parse_activation(need(layers[l], "activation", where).get<std::string>());
    } catch (const std::invalid_argument& e) {
      bad(where + ".activation", std::string("is invalid: ") + e.what());
    }
    m.net.weights.push_back(std::move(W));
    m.net.biases.push_back(std::move(B));
    m.net.activations.push_back(act);
    in = out;
  }
  if (in != d) bad("layers", "end with " + std::to_string(in) + " outputs, expected dim " + std::to_string(d));
  return m;
}

void save_model(const Model& m, const std::string& path) { write_file_atomically(path, to_json(m).dump(1) + "\n"); }

Model load_model(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read model file " + path);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument("model file " + path + " is not valid JSON: " + e.what());
  }
  try {
    return model_from_json(j);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  } catch (const json::exception& e) {
    throw std::invalid_argument(path + ": model file: " + e.what());
  }
}

}  // namespace nimde::nn
