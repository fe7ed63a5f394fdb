#include "ode/tableau.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "ode/checked_input.hpp"

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
    if (text.size() > kMaxEntryLength)
      invalid(where + " = " + shown(text) + " is longer than " + std::to_string(kMaxEntryLength) + " characters");
  } else if (v.is_number_integer()) {
    text = v.dump();
  } else if (v.is_number_float()) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get<double>());
    text.assign(buffer, end);
  } else {
    invalid(where + " = " + shown_json(v) + " is not a number or a rational string");
  }
  Q q;
  try {
    q = Q(parse_rational(text));
  } catch (const std::invalid_argument&) {
    invalid(where + " = " + shown(text) + " is not a rational number");
  }
  // The stepper uses the nearest double; an entry beyond the doubles would step with ±∞.
  if (!std::isfinite(to_double(q)))
    invalid(where + " = " + shown(text) + " is beyond the range of a double (magnitude at most 1.8e308)");
  return q;
}

Row json_vector(const nlohmann::json& v, const std::string& key) {
  if (!v.is_array()) invalid(key + " must be an array, got " + shown_json(v));
  if (v.size() > kMaxStages) invalid(key + " has " + std::to_string(v.size()) + " entries, at most " +
                                     std::to_string(kMaxStages) + " stages are read");
  Row out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(json_entry(v[i], key + "[" + std::to_string(i) + "]"));
  return out;
}

Tableau tableau_from_json_named(std::string_view json_text, const std::string& default_name, TableauReading reading) {
  nlohmann::json j;
  try {
    j = parse_json(json_text);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number beyond the doubles
    invalid("invalid JSON: " + brief_message(e.what()));
  } catch (const SettingError& e) {  // nested too deeply
    invalid(std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) invalid("expected a JSON object with keys A, b (and optionally name, c)");
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "A" && key != "b" && key != "c" && key != "description") {
      invalid("unknown key " + shown(key) + " (known: name, description, A, b, c)");
    }
  }
  for (const char* key : {"A", "b"}) {
    if (!j.contains(key)) invalid(std::string("missing key '") + key + "'");
  }
  std::string name = default_name;
  if (j.contains("name")) {
    if (!j["name"].is_string()) invalid("name = " + shown_json(j["name"]) + " is not a string");
    name = j["name"].get<std::string>();
    if (name.size() > 200) invalid("name = " + shown(name) + " is longer than 200 characters");
  }
  const nlohmann::json& a = j["A"];
  if (!a.is_array() || a.empty()) invalid("A must be a non-empty array of rows, got " + shown_json(a));
  if (a.size() > kMaxStages)
    invalid("A has " + std::to_string(a.size()) + " rows, at most " + std::to_string(kMaxStages) + " stages are read");
  std::vector<Row> A;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_array()) invalid("A row " + std::to_string(i + 1) + " = " + shown_json(a[i]) + " is not an array");
    if (a[i].size() != a.size())  // before reading its entries, so a huge row is not read
      invalid("A row " + std::to_string(i + 1) + " has " + std::to_string(a[i].size()) + " entries, expected " +
              std::to_string(a.size()));
    Row row;
    for (std::size_t k = 0; k < a[i].size(); ++k) {
      row.push_back(json_entry(a[i][k], "A[" + std::to_string(i) + "][" + std::to_string(k) + "]"));
    }
    A.push_back(std::move(row));
  }
  Row b = json_vector(j["b"], "b");
  Row c = j.contains("c") ? json_vector(j["c"], "c") : Row{};
  if (j.contains("c") && c.empty()) invalid("c is empty; omit it to use the row sums of A");
  Tableau t = make_tableau(std::move(name), std::move(A), std::move(b), std::move(c));
  Q weights;
  for (const Q& w : t.b_exact) weights += w;
  if (!(weights == Q(1)) && !reading.allow_inconsistent)
    invalid("the weights b sum to " + shown(to_string(weights)) +
            ", not 1: the method is not consistent (it converges to no solution); allow_inconsistent "
            "(--allow-inconsistent) reads it anyway");
  return t;
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

Tableau tableau_from_json(std::string_view json_text, TableauReading reading) {
  return tableau_from_json_named(json_text, "custom", reading);
}

Tableau load_tableau(const std::string& path, TableauReading reading) {
  const std::string text = read_text_file(path, std::size_t{16} << 20);
  return reading_file(path, [&] {
    return tableau_from_json_named(text, std::filesystem::path(path).stem().string(), reading);
  });
}

std::string tableau_warning(const Tableau& t) {
  std::size_t first = t.c_exact.size(), count = 0;
  Q first_sum;
  for (std::size_t i = 0; i < t.c_exact.size() && i < t.A_exact.size(); ++i) {
    Q sum;
    for (const Q& a : t.A_exact[i]) sum += a;
    if (sum == t.c_exact[i]) continue;
    if (count++ == 0) {
      first = i;
      first_sum = sum;
    }
  }
  if (count == 0) return "";
  return "tableau " + shown(t.name) + ": c differs from the row sums of A at " + std::to_string(count) +
         " stage(s), first c[" + std::to_string(first) + "] = " + to_string(t.c_exact[first]) + " where row " +
         std::to_string(first + 1) + " of A sums to " + to_string(first_sum) +
         " (the order conditions assume c = A·1)";
}

}  // namespace nimde::ode
