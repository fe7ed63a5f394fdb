// A Field promises to accept every state type of ode::FieldStates; so do the steppers. Each
// type is instantiated here, at compile time, through Method::step and integrate, and one step
// of each method gives the same numbers on every type.
#include <cmath>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include <catch2/catch.hpp>

#include "ode/method.hpp"
#include "ode/systems.hpp"

using namespace nimde;
using autodiff::Array;
using autodiff::Jet;
using autodiff::JetShape;
using autodiff::Tape;
using autodiff::Var;
using ode::Point;

namespace {

/// f(tag) for the tag of each type in a tuple of types.
template <class... S, class F>
void for_each_type(std::tuple<S...>*, F f) {
  (f(std::type_identity<S>{}), ...);
}

/// Where every kind of state gets what it needs to exist: tapes for Var, a box for Jet.
struct Context {
  Tape<float> tape_f;
  Tape<double> tape_d;
  JetShape box{{1, 1}};  // first derivatives in the two coordinates
};

template <class T>
autodiff::Tensor<T> row(const std::vector<double>& y) {
  autodiff::Tensor<T> t = autodiff::zeros<T>(1, y.size());
  for (std::size_t j = 0; j < y.size(); ++j) t(0, j) = static_cast<T>(y[j]);
  return t;
}

/// The state y of type State (a jet seeded with ε_j in coordinate j).
template <class State>
State make_state(Context& c, const std::vector<double>& y) {
  if constexpr (std::is_same_v<State, Array<float>> || std::is_same_v<State, Array<double>>) {
    return State(row<std::decay_t<decltype(State().value()(0, 0))>>(y));
  } else if constexpr (std::is_same_v<State, Var<float>>) {
    return c.tape_f.leaf(row<float>(y));
  } else if constexpr (std::is_same_v<State, Var<double>>) {
    return c.tape_d.leaf(row<double>(y));
  } else if constexpr (std::is_same_v<State, Point<double>>) {
    return Point<double>{y};
  } else {
    static_assert(std::is_same_v<State, Point<Jet>>, "a new state type in FieldStates: teach this test to make one");
    Point<Jet> p;
    for (std::size_t j = 0; j < y.size(); ++j) p.x.push_back(Jet::variable(c.box, y[j], static_cast<int>(j)));
    return p;
  }
}

/// The plain numbers of a state.
template <class State>
std::vector<double> values(const State& s) {
  std::vector<double> v;
  if constexpr (requires { s.value(); }) {
    for (std::size_t j = 0; j < s.cols(); ++j) v.push_back(static_cast<double>(s.value()(0, j)));
  } else {
    using ode::value_of;  // double here; Jet's own by argument-dependent lookup
    for (const auto& x : s.x) v.push_back(value_of(x));
  }
  return v;
}

template <class State>
constexpr bool kSinglePrecision = std::is_same_v<State, Array<float>> || std::is_same_v<State, Var<float>>;

// y' = M y with M = [[-0.1, -1], [1, -0.05]] plus a sine: neither separable nor linear, so the
// implicit methods iterate and the partitioned ones solve for their stages.
ode::Field field() {
  return ode::Field("test", {"p", "q"}, ode::componentwise([](const auto& y) {
                      using std::sin;
                      using C = std::decay_t<decltype(y[0])>;
                      return std::vector<C>{C(-0.1 * y[0] - y[1]), C(y[0] - 0.05 * y[1] + 0.3 * sin(y[0]))};
                    }));
}

}  // namespace

TEST_CASE("every state type a field accepts can be stepped, and one step agrees across types", "[methods]") {
  const ode::Field f = field();
  const std::vector<double> y0{0.3, 1.0};
  const double h = 0.1;
  for (const char* name : {"euler", "rk4", "implicit-midpoint", "symplectic-euler", "stormer-verlet", "sv4"}) {
    const ode::Method m = ode::method(name);
    const std::vector<double> step = values(m.step(f, Point<double>{y0}, h));
    const std::vector<double> three = values(ode::integrate(m, f, Point<double>{y0}, h, 3));
    for_each_type(static_cast<ode::FieldStates*>(nullptr), [&](auto tag) {
      using State = typename decltype(tag)::type;
      Context c;
      const State y = make_state<State>(c, y0);
      ode::Method mt = m;
      if (kSinglePrecision<State>) mt.iteration.tolerance = 1e-6;  // 1e-13 is below float's resolution
      const std::vector<double> s1 = values(mt.step(f, y, h)), s3 = values(ode::integrate(mt, f, y, h, 3));
      // Taped states iterate implicit stages a fixed 8 times (to ~1e-10 here), the others to 1e-13.
      const double tolerance = kSinglePrecision<State> ? 1e-6 : ode::kIsTaped<State> ? 1e-9 : 1e-12;
      for (std::size_t j = 0; j < y0.size(); ++j) {
        INFO(name << ", state type " << typeid(State).name() << ", component " << j);
        CHECK(s1[j] == Approx(step[j]).epsilon(tolerance).margin(tolerance));
        CHECK(s3[j] == Approx(three[j]).epsilon(tolerance).margin(tolerance));
      }
    });
  }
}

TEST_CASE("a step on jets carries the step's derivative in the starting point", "[methods]") {
  const ode::Field f = field();
  const std::vector<double> y0{0.3, 1.0};
  const double h = 0.1, eps = 1e-4;  // central differences: error ~eps², iterations' 1e-13 / eps
  for (const char* name : {"rk4", "stormer-verlet"}) {
    const ode::Method m = ode::method(name);
    Context c;
    const Point<Jet> y1 = m.step(f, make_state<Point<Jet>>(c, y0), h);
    for (int j = 0; j < 2; ++j) {
      std::vector<double> up = y0, down = y0;
      up[static_cast<std::size_t>(j)] += eps;
      down[static_cast<std::size_t>(j)] -= eps;
      const Point<double> a = m.step(f, Point<double>{up}, h), b = m.step(f, Point<double>{down}, h);
      for (std::size_t i = 0; i < 2; ++i) {
        INFO(name << ": d y1[" << i << "] / d y0[" << j << "]");
        CHECK(y1.x[i][c.box.unit(j)] == Approx((a.x[i] - b.x[i]) / (2 * eps)).epsilon(1e-6).margin(1e-7));
      }
    }
  }
}
