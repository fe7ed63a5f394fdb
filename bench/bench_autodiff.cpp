// Engine benchmarks: GEMM (ours and, when installed, OpenBLAS at the same thread count; and one
// block of rows in cache, as the fused network gradient multiplies it, against a bare register
// tile), tanh, the fused linear layer forward + backward, a gradient of a gradient
// (grad_of_grad), the tape's per-op overhead and the machine's measured FMA peak. Thread count:
// OMP_NUM_THREADS (default: all cores); the block products run on one.
#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "autodiff/gemm.hpp"
#include "autodiff/ops.hpp"
#include "autodiff/parallel.hpp"
#include "bench/fma_peak.hpp"
#include "bench/register_tile.hpp"

#ifdef NIMDE_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace {

using namespace nimde::autodiff;

template <class T>
Tensor<T> random_tensor(std::size_t rows, std::size_t cols, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  Tensor<T> t = zeros<T>(rows, cols);
  for (T& v : t) v = static_cast<T>(u(rng));
  return t;
}

void set_flops(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = num_threads();
}

/// A counter showing nanoseconds per item, for `items` items per iteration.
benchmark::Counter ns_per(double items) {
  return benchmark::Counter(items * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

template <class T>
void bm_gemm(benchmark::State& state, std::size_t M, std::size_t K, std::size_t N) {
  const Tensor<T> A = random_tensor<T>(M, K, 1), B = random_tensor<T>(K, N, 2);
  Tensor<T> C = zeros<T>(M, N);
  for (auto _ : state) {
    gemm<T>(M, N, K, A.data(), K, false, B.data(), N, false, C.data(), N, false);
    benchmark::DoNotOptimize(C.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * double(M) * double(N) * double(K));
}

#ifdef NIMDE_HAVE_OPENBLAS
template <class T>
void bm_gemm_openblas(benchmark::State& state, std::size_t M, std::size_t K, std::size_t N) {
  const Tensor<T> A = random_tensor<T>(M, K, 1), B = random_tensor<T>(K, N, 2);
  Tensor<T> C = zeros<T>(M, N);
  openblas_set_num_threads(num_threads());
  for (auto _ : state) {
    if constexpr (std::is_same_v<T, float>)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C.data(), N);
    else
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, A.data(), K, B.data(), N, 0.0, C.data(), N);
    benchmark::DoNotOptimize(C.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * double(M) * double(N) * double(K));
}
#endif

// One 192 × 128 block of rows times a packed 128 × 128 weight, on one thread, operands in cache:
// the products network_gradient runs per block (kBlockRows there), each as it calls them.
enum class BlockProduct { plain, accumulate, bias_tanh, weight_grad };

constexpr std::size_t kBlock = 192, kWidth = 128;

void bm_gemm_block(benchmark::State& state, BlockProduct kind) {
  const ThreadScope scope(1);
  const Tensor<float> A = random_tensor<float>(kBlock, kWidth, 15), W = random_tensor<float>(kWidth, kWidth, 16),
                      Y = random_tensor<float>(kBlock, kWidth, 17), bias = random_tensor<float>(1, kWidth, 18);
  PackedB<float> weight, rows;
  weight.pack(kWidth, kWidth, W.data(), kWidth, true);  // y·Wᵀ
  rows.pack(kBlock, kWidth, Y.data(), kWidth, false);   // a weight gradient's Xᵀ·Y
  Tensor<float> C = zeros<float>(kBlock, kWidth);
  for (auto _ : state) {
    switch (kind) {
      case BlockProduct::plain: gemm<float>(kBlock, A.data(), kWidth, false, weight, C.data(), kWidth, false); break;
      case BlockProduct::accumulate: gemm<float>(kBlock, A.data(), kWidth, false, weight, C.data(), kWidth, true); break;
      case BlockProduct::bias_tanh:
        gemm<float>(kBlock, A.data(), kWidth, false, weight, C.data(), kWidth, false, {bias.data(), Activation::tanh});
        break;
      case BlockProduct::weight_grad: gemm<float>(kWidth, A.data(), kWidth, true, rows, C.data(), kWidth, true); break;
    }
    benchmark::DoNotOptimize(C.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * kBlock * kWidth * kWidth);
}

// The same plain product by the bare register tile; checked once against gemm (the same sums in
// the same order, so the same bits) before it is timed.
void bm_register_tile(benchmark::State& state) {
  const ThreadScope scope(1);
  const Tensor<float> A = random_tensor<float>(kBlock, kWidth, 15), W = random_tensor<float>(kWidth, kWidth, 16);
  PackedB<float> weight;  // one panel of 2W-wide slivers (K ≤ KC), the layout the tile reads
  weight.pack(kWidth, kWidth, W.data(), kWidth, true);
  const float* packed = weight.panels();
  Tensor<float> C = zeros<float>(kBlock, kWidth), expected = zeros<float>(kBlock, kWidth);
  gemm<float>(kBlock, A.data(), kWidth, false, weight, expected.data(), kWidth, false);
  nimde::bench::register_tile_product<float>(kBlock, kWidth, kWidth, A.data(), packed, C.data());
  if (!std::equal(C.begin(), C.end(), expected.begin())) {
    state.SkipWithError("the register tile's product differs from gemm's");
    return;
  }
  for (auto _ : state) {
    nimde::bench::register_tile_product<float>(kBlock, kWidth, kWidth, A.data(), packed, C.data());
    benchmark::DoNotOptimize(C.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * kBlock * kWidth * kWidth);
}

void bm_tanh(benchmark::State& state) {
  Tape<float> tape;
  const Tensor<float> x = random_tensor<float>(10000, 128, 3);
  for (auto _ : state) {
    tape.clear();
    NoGrad<float> no_grad(tape);
    Var<float> y = tanh(tape.constant(x));
    benchmark::DoNotOptimize(y.value().data());
  }
  state.counters["ns/element"] = ns_per(10000.0 * 128);
}

// x (10000×128) → tanh(x Wᵀ + b), then backward to x, W, b: three 10000×128×128 GEMMs.
void bm_linear_tanh(benchmark::State& state) {
  Tape<float> tape;
  const Tensor<float> x = random_tensor<float>(10000, 128, 4), W = random_tensor<float>(128, 128, 5),
                      b = random_tensor<float>(1, 128, 6);
  for (auto _ : state) {
    tape.clear();
    Var<float> y = linear(tape.leaf(x), tape.leaf(W), tape.leaf(b), Activation::tanh);
    tape.backward(sum(y));
    benchmark::DoNotOptimize(y.value().data());
  }
  set_flops(state, 3 * 2.0 * 10000 * 128 * 128);
}

// Gradients of gradients, the step of a Hamiltonian network: H = 2 → 128 → 128 → 1 (tanh) on
// 10,000 points, ∇ₓH recorded by grad(..., create_graph), loss = mse(∇ₓH, target), backward to
// the weights. FLOPs counted: six times the forward's (the forward, ∇ₓH's data gradients, and
// the backward through both, two GEMMs per recorded product).
void bm_grad_of_grad(benchmark::State& state, int threads) {
  const ThreadScope scope(threads);
  constexpr std::size_t n = 10000, w = 128;
  Tape<float> tape;
  const Tensor<float> x0 = random_tensor<float>(n, 2, 7), target = random_tensor<float>(n, 2, 8);
  const Tensor<float> W[] = {random_tensor<float>(w, 2, 9), random_tensor<float>(w, w, 10), random_tensor<float>(1, w, 11)};
  const Tensor<float> b[] = {random_tensor<float>(1, w, 12), random_tensor<float>(1, w, 13), random_tensor<float>(1, 1, 14)};
  auto step = [&] {
    tape.clear();
    Var<float> x = tape.leaf(x0), h = x;
    std::vector<Var<float>> p;
    for (int l = 0; l < 3; ++l) {
      p.push_back(tape.leaf(W[l]));
      p.push_back(tape.leaf(b[l]));
      h = linear(h, p[2 * l], p[2 * l + 1], l < 2 ? Activation::tanh : Activation::identity);
    }
    Var<float> loss = mse_loss(grad(sum(h), x, true), tape.constant(target));
    tape.backward(loss);
    return p[2].grad().data();
  };
  step();  // size the tape's buffers outside the timing
  for (auto _ : state) benchmark::DoNotOptimize(step());
  set_flops(state, 6 * 2.0 * double(n) * double(2 * w + w * w + w));
}

// A chain of 1,000 scalar additions recorded and swept backward: the tape's fixed cost per op.
void bm_tape_overhead(benchmark::State& state) {
  constexpr int kOps = 1000;
  Tape<float> tape;
  const Tensor<float> one = zeros<float>(1, 1) + 1.0f;
  for (auto _ : state) {
    tape.clear();
    Var<float> x = tape.leaf(one);
    Var<float> y = x;
    for (int i = 0; i < kOps - 1; ++i) y = y + x;
    tape.backward(y);
    benchmark::DoNotOptimize(x.grad().data());
  }
  state.counters["ns/op"] = ns_per(kOps);
}

// 12 independent FMA chains per thread, at the vector width the kernels use (xsimd's default
// architecture: 8 floats or 4 doubles with AVX2, 16 or 8 with AVX-512): the machine's real FMA
// throughput in fp32 and in fp64.
template <class T>
void bm_peak_fma(benchmark::State& state, int threads) {
  constexpr long kIters = 1 << 22;
  for (auto _ : state) benchmark::DoNotOptimize(nimde::bench::fma_chains<T>(threads, kIters));
  state.counters["GFLOP/s"] = benchmark::Counter(nimde::bench::fma_chains_flops<T>(threads, kIters) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["lanes"] = double(nimde::autodiff::detail::Batch<T>::size);
}

struct GemmShape {
  std::size_t M, K, N;
  std::string name() const { return std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N); }
};

const int kRegistered = [] {
  const GemmShape f32_shapes[] = {{10000, 128, 128}, {10000, 2, 128}, {10000, 128, 2}};
  for (const GemmShape& s : f32_shapes) {
    benchmark::RegisterBenchmark(("gemm/f32/" + s.name()).c_str(), [s](benchmark::State& st) { bm_gemm<float>(st, s.M, s.K, s.N); })->UseRealTime();
#ifdef NIMDE_HAVE_OPENBLAS
    benchmark::RegisterBenchmark(("gemm_openblas/f32/" + s.name()).c_str(), [s](benchmark::State& st) { bm_gemm_openblas<float>(st, s.M, s.K, s.N); })->UseRealTime();
#endif
  }
  benchmark::RegisterBenchmark("gemm/f64/10000x128x128", [](benchmark::State& st) { bm_gemm<double>(st, 10000, 128, 128); })->UseRealTime();
#ifdef NIMDE_HAVE_OPENBLAS
  benchmark::RegisterBenchmark("gemm_openblas/f64/10000x128x128", [](benchmark::State& st) { bm_gemm_openblas<double>(st, 10000, 128, 128); })->UseRealTime();
#endif
  const std::pair<const char*, BlockProduct> block_products[] = {{"plain", BlockProduct::plain},
                                                                 {"accumulate", BlockProduct::accumulate},
                                                                 {"bias_tanh", BlockProduct::bias_tanh},
                                                                 {"weight_grad", BlockProduct::weight_grad}};
  for (const auto& [name, kind] : block_products)
    benchmark::RegisterBenchmark((std::string("gemm_block/f32/192x128x128/") + name).c_str(),
                                 [kind](benchmark::State& st) { bm_gemm_block(st, kind); })
        ->UseRealTime();
  benchmark::RegisterBenchmark("register_tile/f32/192x128x128", bm_register_tile)->UseRealTime();
  benchmark::RegisterBenchmark("tanh/f32/10000x128", bm_tanh)->UseRealTime();
  benchmark::RegisterBenchmark("linear_tanh_fwd_bwd/f32/10000x128x128", bm_linear_tanh)->UseRealTime();
  benchmark::RegisterBenchmark("tape_overhead/add_1x1", bm_tape_overhead)->UseRealTime();
  for (int t : {1, 2})
    benchmark::RegisterBenchmark(("grad_of_grad/hnn_loss/f32/10000x128/omp" + std::to_string(t)).c_str(),
                                 [t](benchmark::State& s) { bm_grad_of_grad(s, t); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  for (int t : {1, 2})
    benchmark::RegisterBenchmark(("peak/fma/f32/omp" + std::to_string(t)).c_str(),
                                 [t](benchmark::State& s) { bm_peak_fma<float>(s, t); })
        ->UseRealTime();
  for (int t : {1, 2})
    benchmark::RegisterBenchmark(("peak/fma/f64/omp" + std::to_string(t)).c_str(),
                                 [t](benchmark::State& s) { bm_peak_fma<double>(s, t); })
        ->UseRealTime();
  return 0;
}();

}  // namespace
