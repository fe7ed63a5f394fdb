#include "ode/method.hpp"

#include <stdexcept>

namespace nimde::ode {

Method::Method(Tableau tableau)
    : name_(tableau.name), family_(Family::runge_kutta), order_(tableau.order),
      tableau_(std::make_shared<const Tableau>(std::move(tableau))) {}

Method::Method(std::string name, Family family, int order) : name_(std::move(name)), family_(family), order_(order) {
  if (family == Family::runge_kutta || family == Family::composition)
    throw std::invalid_argument("method " + name_ + ": use the tableau or triple_jump constructors");
}

Method Method::triple_jump(std::string name, const Method& base) {
  if (base.order() % 2 != 0)
    throw std::invalid_argument("triple jump of " + base.name() + ": needs a symmetric method of even order");
  Method m(base);
  m.name_ = std::move(name);
  m.family_ = Family::composition;
  m.order_ = base.order() + 2;
  m.base_ = std::make_shared<const Method>(base);
  m.gamma1_ = 1.0 / (2.0 - std::pow(2.0, 1.0 / (base.order() + 1)));
  m.gamma2_ = 1.0 - 2.0 * m.gamma1_;
  return m;
}

const Tableau& Method::tableau() const {
  if (!tableau_) throw std::invalid_argument("method " + name_ + " is partitioned: it has no Butcher tableau");
  return *tableau_;
}

namespace {
const char* const kPartitioned[] = {"symplectic-euler", "symplectic-euler-a", "symplectic-euler-b",
                                    "stormer-verlet", "sv4", "sv6"};
}

std::vector<std::string> method_names() {
  std::vector<std::string> names = rk_method_names();
  names.insert(names.end(), std::begin(kPartitioned), std::end(kPartitioned));
  return names;
}

Method method(std::string_view name) {
  if (name == "symplectic-euler" || name == "symplectic-euler-a")
    return Method(std::string(name), Method::Family::symplectic_euler_a, 1);
  if (name == "symplectic-euler-b") return Method("symplectic-euler-b", Method::Family::symplectic_euler_b, 1);
  const Method verlet("stormer-verlet", Method::Family::stormer_verlet, 2);
  if (name == "stormer-verlet") return verlet;
  if (name == "sv4") return Method::triple_jump("sv4", verlet);
  if (name == "sv6") return Method::triple_jump("sv6", Method::triple_jump("sv4", verlet));
  for (const std::string& n : rk_method_names())
    if (n == name) return Method(rk_tableau(name));
  std::string known;
  for (const std::string& n : method_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown method '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace nimde::ode
