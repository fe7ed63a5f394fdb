#include "ode/tableau.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace nimde::ode {

namespace {

using Q = QuadraticRational;
using Row = std::vector<Q>;

Q r(long num, long den = 1) { return Q(Rational(num, den)); }
/// num/den · √d
Q s(long num, long den, long d) { return Q(Rational(0), Rational(num, den), d); }

[[noreturn]] void invalid(const std::string& what) { throw std::invalid_argument("tableau: " + what); }

std::vector<Tableau> make_catalogue() {
  std::vector<Tableau> t;
  t.push_back(make_tableau("euler", {{r(0)}}, {r(1)}, {}, 1));
  t.push_back(make_tableau("midpoint", {{r(0), r(0)}, {r(1, 2), r(0)}}, {r(0), r(1)}, {}, 2));
  t.push_back(make_tableau("heun", {{r(0), r(0)}, {r(1), r(0)}}, {r(1, 2), r(1, 2)}, {}, 2));
  t.push_back(make_tableau("ralston", {{r(0), r(0)}, {r(2, 3), r(0)}}, {r(1, 4), r(3, 4)}, {}, 2));
  t.push_back(make_tableau("kutta3", {{r(0), r(0), r(0)}, {r(1, 2), r(0), r(0)}, {r(-1), r(2), r(0)}},
                           {r(1, 6), r(2, 3), r(1, 6)}, {}, 3));
  // Shu–Osher's strong-stability-preserving method: three Euler steps, convexly combined.
  t.push_back(make_tableau("ssprk3", {{r(0), r(0), r(0)}, {r(1), r(0), r(0)}, {r(1, 4), r(1, 4), r(0)}},
                           {r(1, 6), r(1, 6), r(2, 3)}, {}, 3));
  t.push_back(make_tableau("rk4",
                           {{r(0), r(0), r(0), r(0)},
                            {r(1, 2), r(0), r(0), r(0)},
                            {r(0), r(1, 2), r(0), r(0)},
                            {r(0), r(0), r(1), r(0)}},
                           {r(1, 6), r(1, 3), r(1, 3), r(1, 6)}, {}, 4));
  t.push_back(make_tableau("rk38",
                           {{r(0), r(0), r(0), r(0)},
                            {r(1, 3), r(0), r(0), r(0)},
                            {r(-1, 3), r(1), r(0), r(0)},
                            {r(1), r(-1), r(1), r(0)}},
                           {r(1, 8), r(3, 8), r(3, 8), r(1, 8)}, {}, 4));
  t.push_back(make_tableau("implicit-euler", {{r(1)}}, {r(1)}, {}, 1));
  t.push_back(make_tableau("implicit-midpoint", {{r(1, 2)}}, {r(1)}, {}, 2));
  // Gauss–Legendre collocation at the zeros of the shifted Legendre polynomials:
  // 2 stages at c = 1/2 ∓ √3/6, 3 stages at c = 1/2 ∓ √15/10 and 1/2.
  t.push_back(make_tableau("gauss4",
                           {{r(1, 4), r(1, 4) + s(-1, 6, 3)},  //
                            {r(1, 4) + s(1, 6, 3), r(1, 4)}},
                           {r(1, 2), r(1, 2)}, {}, 4));
  t.push_back(make_tableau("gauss6",
                           {{r(5, 36), r(2, 9) + s(-1, 15, 15), r(5, 36) + s(-1, 30, 15)},
                            {r(5, 36) + s(1, 24, 15), r(2, 9), r(5, 36) + s(-1, 24, 15)},
                            {r(5, 36) + s(1, 30, 15), r(2, 9) + s(1, 15, 15), r(5, 36)}},
                           {r(5, 18), r(4, 9), r(5, 18)}, {}, 6));
  return t;
}

const std::vector<Tableau>& catalogue() {
  static const std::vector<Tableau> methods = make_catalogue();
  return methods;
}

// A JSON number is taken at its shortest round-trip decimal form, so 0.1 means 1/10.
Q json_entry(const nlohmann::json& v, const std::string& where) {
  std::string text;
  if (v.is_string()) {
    text = v.get<std::string>();
  } else if (v.is_number_integer()) {
    text = v.dump();
  } else if (v.is_number_float()) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get<double>());
    text.assign(buffer, end);
  } else {
    invalid(where + " = " + v.dump() + " is not a number or a rational string");
  }
  try {
    return Q(parse_rational(text));
  } catch (const std::invalid_argument& e) {
    invalid(where + " = " + e.what());
  }
}

Row json_vector(const nlohmann::json& v, const std::string& key) {
  if (!v.is_array()) invalid(key + " must be an array, got " + v.dump());
  Row out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(json_entry(v[i], key + "[" + std::to_string(i) + "]"));
  return out;
}

Tableau tableau_from_json_named(std::string_view json_text, const std::string& default_name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    invalid(std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) invalid("expected a JSON object with keys A, b (and optionally name, c)");
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "A" && key != "b" && key != "c" && key != "description") {
      invalid("unknown key '" + key + "' (known: name, description, A, b, c)");
    }
  }
  for (const char* key : {"A", "b"}) {
    if (!j.contains(key)) invalid(std::string("missing key '") + key + "'");
  }
  std::string name = default_name;
  if (j.contains("name")) {
    if (!j["name"].is_string()) invalid("name = " + j["name"].dump() + " is not a string");
    name = j["name"].get<std::string>();
  }
  const nlohmann::json& a = j["A"];
  if (!a.is_array() || a.empty()) invalid("A must be a non-empty array of rows, got " + a.dump());
  std::vector<Row> A;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_array()) invalid("A row " + std::to_string(i + 1) + " = " + a[i].dump() + " is not an array");
    Row row;
    for (std::size_t k = 0; k < a[i].size(); ++k) {
      row.push_back(json_entry(a[i][k], "A[" + std::to_string(i) + "][" + std::to_string(k) + "]"));
    }
    A.push_back(std::move(row));
  }
  Row b = json_vector(j["b"], "b");
  Row c = j.contains("c") ? json_vector(j["c"], "c") : Row{};
  if (j.contains("c") && c.empty()) invalid("c is empty; omit it to use the row sums of A");
  return make_tableau(std::move(name), std::move(A), std::move(b), std::move(c));
}

}  // namespace

bool Tableau::is_explicit() const {
  for (std::size_t i = 0; i < A_exact.size(); ++i) {
    for (std::size_t j = i; j < A_exact[i].size(); ++j) {
      if (!A_exact[i][j].is_zero()) return false;
    }
  }
  return true;
}

Tableau make_tableau(std::string name, std::vector<std::vector<QuadraticRational>> A,
                     std::vector<QuadraticRational> b, std::vector<QuadraticRational> c, int order) {
  const std::size_t s = A.size();
  if (s == 0) invalid("A has no rows");
  for (std::size_t i = 0; i < s; ++i) {
    if (A[i].size() != s) {
      invalid("A row " + std::to_string(i + 1) + " has " + std::to_string(A[i].size()) + " entries, expected " +
              std::to_string(s));
    }
  }
  if (b.size() != s) invalid("b has " + std::to_string(b.size()) + " entries, expected " + std::to_string(s));
  if (c.empty()) {
    for (const auto& row : A) {
      QuadraticRational sum;
      for (const auto& a : row) sum += a;
      c.push_back(sum);
    }
  }
  if (c.size() != s) invalid("c has " + std::to_string(c.size()) + " entries, expected " + std::to_string(s));

  Tableau t;
  t.name = std::move(name);
  t.order = order;
  for (const auto& row : A) {
    for (const auto& a : row) t.A.push_back(to_double(a));
  }
  for (const auto& x : b) t.b.push_back(to_double(x));
  for (const auto& x : c) t.c.push_back(to_double(x));
  t.A_exact = std::move(A);
  t.b_exact = std::move(b);
  t.c_exact = std::move(c);
  return t;
}

const Tableau& rk_tableau(std::string_view name) {
  for (const Tableau& t : catalogue()) {
    if (t.name == name) return t;
  }
  std::string known;
  for (const Tableau& t : catalogue()) known += (known.empty() ? "" : ", ") + t.name;
  throw std::invalid_argument("unknown Runge-Kutta method '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<std::string> rk_method_names() {
  std::vector<std::string> names;
  for (const Tableau& t : catalogue()) names.push_back(t.name);
  return names;
}

Tableau tableau_from_json(std::string_view json_text) { return tableau_from_json_named(json_text, "custom"); }

Tableau load_tableau(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read tableau file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return tableau_from_json_named(text.str(), std::filesystem::path(path).stem().string());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
}

}  // namespace nimde::ode
