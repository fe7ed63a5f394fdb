// network_gradient: ∇ₓH of a network with one output as one fused operation. Checked against the
// same computation recorded as operations (linear layers, then grad with create_graph: other
// kernels, other orders of summation), against central differences of its values and, through
// its graph rule, of its gradients; on shapes that hit SIMD tails, the edges of its blocks
// (192 rows) and chunks (960 rows), layers of different widths and thread splits; and the bits
// for 1 and 2 threads.
#include <cmath>
#include <cstring>

#include "autodiff/parallel.hpp"
#include "tests/autodiff/gradcheck.hpp"

using namespace nimde::autodiff;
using nimde::test::gradient_check;
using nimde::test::hvp_check;
using nimde::test::random_tensor;
using nimde::test::weighted_sum;

namespace {

/// A network d → widths… → 1: its parameters as tensors, W_1, b_1, …, W_L, b_L.
struct Net {
  std::vector<Tensor<double>> params;
  std::vector<Activation> acts;
  Net(std::mt19937_64& rng, std::size_t d, const std::vector<std::size_t>& widths, Activation act) {
    std::size_t in = d;
    for (std::size_t l = 0; l <= widths.size(); ++l) {
      const std::size_t out = l < widths.size() ? widths[l] : 1;
      params.push_back(random_tensor(out, in, rng, -1.5 / std::sqrt(double(in)), 1.5 / std::sqrt(double(in))));
      params.push_back(random_tensor(1, out, rng));
      acts.push_back(l < widths.size() ? act : Activation::identity);
      in = out;
    }
  }
};

template <class T>
std::vector<Var<T>> every_other(const std::vector<Var<T>>& p, std::size_t first) {
  std::vector<Var<T>> out;
  for (std::size_t i = first; i < p.size(); i += 2) out.push_back(p[i]);
  return out;
}

/// ∇ₓH by the operation, from leaves x, W_1, b_1, ….
template <class T>
Var<T> fused(const Var<T>& x, const std::vector<Var<T>>& p, const std::vector<Activation>& acts) {
  const std::vector<Var<T>> W = every_other(p, 0), b = every_other(p, 1);
  return network_gradient(x, std::span<const Var<T>>(W), std::span<const Var<T>>(b), std::span<const Activation>(acts));
}

/// ∇ₓH recorded as operations: the layers, then their backward pass as a graph.
Var<double> recorded(const Var<double>& x, const std::vector<Var<double>>& p, const std::vector<Activation>& acts) {
  Tape<double>& tape = x.tape();
  Var<double> h = x;
  for (std::size_t l = 0; l < acts.size(); ++l) h = linear(h, p[2 * l], p[2 * l + 1], acts[l]);
  return tape.grad(h, std::span<const Var<double>>(&x, 1), tape.constant(x.rows(), 1, 1.0), true).front();
}

/// The value of ∇ₓH and the gradients of weighted_sum(∇ₓH) in x and every parameter.
template <class Build>
std::vector<Tensor<double>> value_and_gradients(const Net& net, const Tensor<double>& x0, Build build) {
  Tape<double> tape;
  const Var<double> x = tape.leaf(x0);
  std::vector<Var<double>> p;
  for (const auto& t : net.params) p.push_back(tape.leaf(t));
  const Var<double> g = build(x, p, net.acts);
  tape.backward(weighted_sum(tape, g));
  std::vector<Tensor<double>> out{g.value(), x.grad()};
  for (const auto& v : p) out.push_back(v.grad());
  return out;
}

double worst_difference(const std::vector<Tensor<double>>& a, const std::vector<Tensor<double>>& b) {
  double worst = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    for (std::size_t i = 0; i < a[k].size(); ++i)
      worst = std::max(worst, std::abs(a[k].data()[i] - b[k].data()[i]) / std::max(1.0, std::abs(b[k].data()[i])));
  return worst;
}

struct Shape {
  std::size_t d;
  std::vector<std::size_t> widths;
  std::size_t rows;
};

const Shape kShapes[] = {{2, {16}, 1},        {2, {16, 16}, 7},       {4, {37, 37}, 193},
                         {2, {128, 128}, 1000}, {1, {16, 24, 8}, 961}, {6, {33, 17}, 1921}};

}  // namespace

TEST_CASE("network_gradient and its backward match the same computation recorded as operations",
          "[network-gradient]") {
  std::mt19937_64 rng(21);
  for (const Shape& s : kShapes)
    for (Activation act : {Activation::tanh, Activation::sigmoid}) {
      const Net net(rng, s.d, s.widths, act);
      const Tensor<double> x = random_tensor(s.rows, s.d, rng, -2, 2);
      const auto a = value_and_gradients(net, x, fused<double>);
      const auto b = value_and_gradients(net, x, recorded);
      INFO(activation_name(act) << ", d " << s.d << ", " << s.widths.size() << " hidden layers, " << s.rows << " rows");
      CHECK(worst_difference(a, b) < 1e-12);
      // b_L does not enter ∇ₓH: no gradient reaches it.
      CHECK(std::abs(a.back()(0, 0)) == 0.0);
    }
}

TEST_CASE("network_gradient's gradient in x and the parameters matches central differences", "[network-gradient]") {
  std::mt19937_64 rng(22);
  for (Activation act : {Activation::tanh, Activation::sigmoid}) {
    const Net net(rng, 2, {5, 6}, act);
    std::vector<Tensor<double>> inputs{random_tensor(7, 2, rng, -2, 2)};
    inputs.insert(inputs.end(), net.params.begin(), net.params.end() - 1);  // b_L is not an input of ∇ₓH
    auto build = [&](Tape<double>& tape, const std::vector<Var<double>>& v) {
      std::vector<Var<double>> p(v.begin() + 1, v.end());
      p.push_back(tape.constant(1, 1, 0.0));
      return fused(v[0], p, net.acts);
    };
    const auto check = gradient_check(inputs, build, 8);
    INFO(activation_name(act) << ": " << check.where);
    CHECK(check.worst < 1e-6);
  }
}

TEST_CASE("network_gradient's Hessian-vector products match central differences of its gradients",
          "[network-gradient][higher-order]") {
  // Through the graph rule (the unfused computation, differentiated again) against central
  // differences of the fused first-order kernels.
  std::mt19937_64 rng(23);
  for (std::size_t rows : {7, 193})
    for (Activation act : {Activation::tanh, Activation::sigmoid}) {
      const Net net(rng, 2, {5, 6}, act);
      std::vector<Tensor<double>> inputs{random_tensor(rows, 2, rng, -2, 2)};
      inputs.insert(inputs.end(), net.params.begin(), net.params.end() - 1);
      auto build = [&](Tape<double>& tape, const std::vector<Var<double>>& v) {
        std::vector<Var<double>> p(v.begin() + 1, v.end());
        p.push_back(tape.constant(1, 1, 0.0));
        return fused(v[0], p, net.acts);
      };
      const auto check = hvp_check(inputs, build);
      INFO(activation_name(act) << ", " << rows << " rows: " << check.where);
      CHECK(check.worst < 1e-6);
    }
}

TEST_CASE("network_gradient is bitwise the same for 1 and 2 threads", "[network-gradient][threads]") {
  std::mt19937_64 rng(24);
  const Net net(rng, 2, {128, 128}, Activation::tanh);
  const Tensor<double> x = random_tensor(3001, 2, rng, -2, 2);
  auto run = [&]<class T>(T, int threads) {
    ThreadScope scope(threads);
    Tape<T> tape;
    auto leaf = [&](const Tensor<double>& t) {
      Tensor<T> c(t.shape());
      std::copy(t.begin(), t.end(), c.begin());
      return tape.leaf(c);
    };
    const Var<T> xv = leaf(x);
    std::vector<Var<T>> p;
    for (const auto& t : net.params) p.push_back(leaf(t));
    const Var<T> g = fused(xv, p, net.acts);
    tape.backward(sum(g * g));
    std::vector<Tensor<T>> out{g.value(), xv.grad()};
    for (const auto& v : p) out.push_back(v.grad());
    return out;
  };
  auto same_bits = [](const auto& a, const auto& b) {
    for (std::size_t k = 0; k < a.size(); ++k)
      if (std::memcmp(a[k].data(), b[k].data(), a[k].size() * sizeof(*a[k].data()))) return false;
    return true;
  };
  CHECK(same_bits(run(double(), 1), run(double(), 2)));
  CHECK(same_bits(run(float(), 1), run(float(), 2)));
}

TEST_CASE("network_gradient keeps y_l and u_l, and recomputes a first layer of at most four inputs",
          "[network-gradient]") {
  // d → 16 → 24 → 1 over n rows keeps y_2 (24 a row) and u_1 (16), and y_1 (16) only for d > 4;
  // its value is n × d. The recomputed y_1 gives the same values and gradients as the recorded
  // computation (the shapes above with d ≤ 4); here, the memory it saves.
  std::mt19937_64 rng(26);
  const std::size_t n = 300;
  for (std::size_t d : {2, 4, 5, 6}) {
    const Net net(rng, d, {16, 24}, Activation::tanh);
    Tape<double> tape;
    const Var<double> x = tape.leaf(random_tensor(n, d, rng));
    std::vector<Var<double>> p;
    for (const auto& t : net.params) p.push_back(tape.leaf(t));
    const std::size_t before = tape.bytes();
    const Var<double> g = fused(x, p, net.acts);
    const std::size_t kept = 24 + 16 + (d > 4 ? 16 : 0);
    INFO("d " << d);
    CHECK(tape.bytes() - before == n * (d + kept) * sizeof(double));
    tape.backward(sum(g * g));
    CHECK(std::isfinite(x.grad()(n - 1, d - 1)));
  }
}

TEST_CASE("networks network_gradient does not fuse are recorded as operations", "[network-gradient]") {
  // softplus and sin state their derivatives in z, not y; one layer has no hidden activation;
  // mixed activations differ from layer to layer. All take the recorded path, to the bit.
  std::mt19937_64 rng(25);
  struct Case {
    std::vector<std::size_t> widths;
    std::vector<Activation> acts;
  };
  const Case cases[] = {{{8, 8}, {Activation::softplus, Activation::softplus, Activation::identity}},
                        {{8, 8}, {Activation::sin, Activation::sin, Activation::identity}},
                        {{}, {Activation::identity}},
                        {{8, 8}, {Activation::tanh, Activation::sigmoid, Activation::identity}},
                        {{8}, {Activation::tanh, Activation::tanh}}};
  for (const Case& c : cases) {
    Net net(rng, 2, c.widths, Activation::tanh);
    net.acts = c.acts;
    const Tensor<double> x = random_tensor(9, 2, rng);
    const auto a = value_and_gradients(net, x, fused<double>);
    const auto b = value_and_gradients(net, x, recorded);
    CHECK(worst_difference(a, b) == 0.0);
  }
}

TEST_CASE("network_gradient names a network of the wrong shape", "[network-gradient]") {
  Tape<double> tape;
  std::mt19937_64 rng(26);
  const Var<double> x = tape.leaf(random_tensor(4, 2, rng));
  const Var<double> W1 = tape.leaf(random_tensor(8, 2, rng)), b1 = tape.leaf(random_tensor(1, 8, rng));
  const Var<double> W2 = tape.leaf(random_tensor(2, 8, rng)), b2 = tape.leaf(random_tensor(1, 2, rng));
  const Activation acts[] = {Activation::tanh, Activation::identity};
  const Var<double> W[] = {W1, W2}, b[] = {b1, b2};
  CHECK_THROWS_WITH(network_gradient(x, std::span<const Var<double>>(W), std::span<const Var<double>>(b),
                                     std::span<const Activation>(acts)),
                    Catch::Contains("layer 2 has W [2 x 8]") && Catch::Contains("one output"));
  const Var<double> W_short[] = {W1};
  CHECK_THROWS_WITH(network_gradient(x, std::span<const Var<double>>(W_short), std::span<const Var<double>>(b),
                                     std::span<const Activation>(acts)),
                    Catch::Contains("1 weights, 2 biases"));
}
