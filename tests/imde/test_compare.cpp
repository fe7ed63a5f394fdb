// compare_fields against the harmonic oscillator's hand-derived Euler IMDE: f(p, q) = (−q, p),
// f' = [[0, −1], [1, 0]], so f'f = (−p, −q) and f_h^[1] = f + h/2 f'f = (−q − hp/2, p − hq/2).
#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "imde/compare.hpp"
#include "ode/systems.hpp"

using namespace nimde;

TEST_CASE("a field equal to Euler's IMDE to h^1 is that far from f and none from f_h^[1]", "[compare]") {
  const double h = 0.05;
  const ode::Field& f = ode::system("harmonic").field;
  const ode::Field learned("hand IMDE", {"p", "q"}, ode::componentwise([h](const auto& y) {
                             using C = std::decay_t<decltype(y[0])>;
                             return std::vector<C>{-1.0 * y[1] - (h / 2) * y[0], y[0] - (h / 2) * y[1]};
                           }));
  std::mt19937_64 rng(3);
  autodiff::Tensor<double> x = autodiff::zeros<double>(200, 2);
  double expected = 0, corrected = 0;  // mean over points of max(|hp/2|, |hq/2|), and see below
  for (std::size_t i = 0; i < 200; ++i) {
    const double p = x(i, 0) = std::uniform_real_distribution<double>(-2, 2)(rng);
    const double q = x(i, 1) = std::uniform_real_distribution<double>(-2, 2)(rng);
    expected += std::max(std::abs(h / 2 * p), std::abs(h / 2 * q)) / 200;
    corrected += std::max(std::abs(-h * h / 2 * q - h * h * h / 8 * p), std::abs(h * h / 2 * p - h * h * h / 8 * q)) / 200;
  }
  const imde::Comparison c = imde::compare_fields(learned, f, ode::rk_tableau("euler"), h, x, 2, 1);
  CHECK(c.points == 200);
  CHECK(c.error_true == Approx(expected).epsilon(1e-12));
  REQUIRE(c.error_imde.size() == 3);
  CHECK(c.error_imde[0] == Approx(expected).epsilon(1e-12));  // f_h^[0] = f
  CHECK(c.error_imde[1] < 1e-14);
  // f_h^[2] adds h²(f''(f,f)/6 + f'f'f/6) = h²/6 (q, −p): |h²/6| · max(|p|, |q|) on average.
  CHECK(c.error_imde[2] == Approx(h * h / 6 * expected * 2 / h).epsilon(1e-9));
  // The modified equation to h^1 is g − h/2 g'g. The learned g(y) = My with M = J − h/2 I
  // (J = f', J² = −I), so it gives (M − h/2 M²) y = (J + h²/2 J − h³/8 I) y: f plus
  // (−h²/2 q − h³/8 p, h²/2 p − h³/8 q).
  CHECK(c.correct_order == 1);
  CHECK(c.error_corrected == Approx(corrected).epsilon(1e-9));
}
