// Every field accepts a batch of jets: one that evaluates batches itself is asked to, any other
// is evaluated point by point through its Point<Jet> path.
#include <stdexcept>

#include <catch2/catch.hpp>

#include "ode/field.hpp"
#include "ode/systems.hpp"

using namespace nimde;
using autodiff::Jet;
using autodiff::JetBatch;
using autodiff::JetShape;

namespace {
/// f(y) = 2y, which also claims to evaluate batches of jets: there it answers 3y instead, so
/// that a test can tell which path was taken.
struct Doubling {
  template <class State>
  State operator()(const State& y) const { return y * 2.0; }
  JetBatch jets(const JetBatch& y) const {
    JetBatch r = y;
    for (double& v : r.matrix()) v *= 3;
    return r;
  }
};
}  // namespace

TEST_CASE("a system on a batch of jets is the system on each point's jets", "[field]") {
  const ode::Field& f = ode::system("pendulum").field;
  const JetShape s({2, 1});
  JetBatch y(s, 3, 2);
  for (std::size_t p = 0; p < 3; ++p) {
    y(0, p, 0) = 0.3 * double(p) - 0.2;
    y(0, p, 1) = 1.1 - 0.4 * double(p);
    y(s.unit(0), p, 1) = 1;
    y(s.unit(1), p, 0) = 0.5;
  }
  const JetBatch w = f(y);
  for (std::size_t p = 0; p < 3; ++p) {
    const ode::Point<Jet> one = f(ode::Point<Jet>{{y.jet(p, 0), y.jet(p, 1)}});
    for (std::size_t k = 0; k < 2; ++k)
      for (int c = 0; c < s.size(); ++c) CHECK(w(c, p, k) == one.x[k][c]);
  }
  // p' = −10 sin q: its second derivative in q (coefficient ε_1², times 2!) is 10 sin q.
  CHECK(2 * w(s.index(std::vector<int>{2, 0}), 1, 0) == Approx(10 * std::sin(0.7)));
  CHECK_THROWS_WITH(f(JetBatch(s, 2, 3)), Catch::Contains("jets of dimension 3, expected 2"));
}

TEST_CASE("a field that evaluates batches of jets itself is asked to", "[field]") {
  const ode::Field f("doubling", {"x"}, Doubling{});
  const JetShape s({1});
  JetBatch y(s, 2, 1);
  y(0, 1, 0) = 1.5;
  CHECK(f(y)(0, 1, 0) == 4.5);                          // its own path
  CHECK(f(ode::Point<double>{{1.5}}).x[0] == 3.0);      // every other state as before
}
