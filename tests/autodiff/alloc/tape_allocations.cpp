// After the first pass of a training-like loop, re-recording the same graph on a cleared tape
// and sweeping it backward allocates nothing: every buffer is reused.
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>

#include <catch2/catch.hpp>

#include "autodiff/ops.hpp"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
  ++g_allocations;
  if (void* p = std::aligned_alloc(static_cast<std::size_t>(a), (n + static_cast<std::size_t>(a) - 1) &
                                                                   ~(static_cast<std::size_t>(a) - 1)))
    return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace nimde::autodiff;

TEST_CASE("re-recording the same graph on a cleared tape allocates nothing", "[tape][allocations]") {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  auto random = [&](std::size_t r, std::size_t c) {
    Tensor<float> t = zeros<float>(r, c);
    for (float& v : t) v = 0.3f * normal(rng);
    return t;
  };
  const Tensor<float> x = random(5000, 2), target = random(5000, 2);
  const Tensor<float> W1 = random(64, 2), b1 = random(1, 64), W2 = random(64, 64), b2 = random(1, 64),
                      W3 = random(2, 64), b3 = random(1, 2);
  const Values values = GENERATE(Values::keep, Values::release);  // released values come back from the pool
  INFO((values == Values::keep ? "keeping values" : "releasing values"));
  Tape<float> tape;
  long per_iteration[4] = {};
  for (int it = 0; it < 4; ++it) {
    const long before = g_allocations.load();
    tape.clear();
    Var<float> y = tape.constant(x);
    Var<float> w1 = tape.leaf(W1), w2 = tape.leaf(W2), w3 = tape.leaf(W3);
    // Two explicit Euler steps of a tanh MLP field, as in training, then the loss.
    for (int step = 0; step < 2; ++step) {
      Var<float> h = linear(y, w1, tape.leaf(b1), Activation::tanh);
      h = linear(h, w2, tape.leaf(b2), Activation::tanh);
      Var<float> f = linear(h, w3, tape.leaf(b3));
      f = concat_cols({slice_cols(f, 0, 1), slice_cols(f, 1, 1) * 1.0});
      y = y + f * 0.02;
    }
    Var<float> loss = mse_loss(y, tape.constant(target)) + mean(sum(y, 0));
    tape.backward(loss, values);
    per_iteration[it] = g_allocations.load() - before;
  }
  INFO("allocations per iteration: " << per_iteration[0] << ", " << per_iteration[1] << ", " << per_iteration[2]
                                     << ", " << per_iteration[3]);
  CHECK(per_iteration[0] > 0);
  CHECK(per_iteration[2] == 0);
  CHECK(per_iteration[3] == 0);
}

// The same for gradients of gradients, as a Hamiltonian network trains: ∇ₓH recorded with
// create_graph, a loss of it, backward to the weights.
TEST_CASE("re-recording a gradient of a gradient on a cleared tape allocates nothing", "[tape][allocations]") {
  std::mt19937_64 rng(2);
  std::normal_distribution<float> normal;
  auto random = [&](std::size_t r, std::size_t c) {
    Tensor<float> t = zeros<float>(r, c);
    for (float& v : t) v = 0.3f * normal(rng);
    return t;
  };
  const Tensor<float> x = random(3000, 2), target = random(3000, 2);
  const Tensor<float> W1 = random(64, 2), b1 = random(1, 64), W2 = random(64, 64), b2 = random(1, 64),
                      W3 = random(1, 64), b3 = random(1, 1);
  Tape<float> tape;
  long per_iteration[4] = {};
  for (int it = 0; it < 4; ++it) {
    const long before = g_allocations.load();
    tape.clear();
    Var<float> y = tape.leaf(x);
    Var<float> w1 = tape.leaf(W1), w2 = tape.leaf(W2), w3 = tape.leaf(W3);
    Var<float> h = linear(y, w1, tape.leaf(b1), Activation::tanh);
    h = linear(h, w2, tape.leaf(b2), Activation::tanh);
    Var<float> H = linear(h, w3, tape.leaf(b3));
    const Var<float> dH = tape.grad(H, std::span<const Var<float>>(&y, 1), tape.constant(3000, 1, 1.0f), true).front();
    Var<float> loss = mse_loss(y + dH * 0.02, tape.constant(target));
    tape.backward(loss);
    per_iteration[it] = g_allocations.load() - before;
  }
  INFO("allocations per iteration: " << per_iteration[0] << ", " << per_iteration[1] << ", " << per_iteration[2]
                                     << ", " << per_iteration[3]);
  CHECK(per_iteration[0] > 0);
  CHECK(per_iteration[2] == 1);  // the std::vector grad returns, and no buffer
  CHECK(per_iteration[3] == 1);
}
