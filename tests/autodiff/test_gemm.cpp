// The blocked GEMM against a plain triple loop in long double, over shapes that hit every
// edge of the MR × NR tiles, the K blocks, the K-split path and the few-columns path.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "autodiff/gemm.hpp"

using namespace nimde::autodiff;

namespace {

template <class T>
std::vector<T> random_vector(std::size_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(u(rng));
  return v;
}

template <class T>
void check_shape(std::size_t M, std::size_t N, std::size_t K, bool ta, bool tb, bool accumulate, bool bias,
                 Activation act, std::mt19937_64& rng) {
  const std::vector<T> A = random_vector<T>(M * K, rng), B = random_vector<T>(K * N, rng), b = random_vector<T>(N, rng);
  std::vector<T> C = random_vector<T>(M * N, rng);
  const std::vector<T> C0 = C;
  const std::size_t lda = ta ? M : K, ldb = tb ? K : N;
  gemm<T>(M, N, K, A.data(), lda, ta, B.data(), ldb, tb, C.data(), N, accumulate,
          GemmEpilogue<T>{bias ? b.data() : nullptr, act});
  const double tol = (std::is_same_v<T, float> ? 2e-6 : 1e-14) * double(K + 1);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      long double s = accumulate ? C0[i * N + j] : 0;
      for (std::size_t k = 0; k < K; ++k)
        s += static_cast<long double>(ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
      if (bias) s += b[j];
      double z = static_cast<double>(s);
      if (act == Activation::tanh) z = std::tanh(z);
      if (act == Activation::relu) z = std::max(z, 0.0);
      INFO(M << "x" << K << "x" << N << " ta " << ta << " tb " << tb << " acc " << accumulate << " at " << i << ","
              << j);
      REQUIRE(std::abs(C[i * N + j] - z) <= tol * std::max(1.0, std::abs(z)));
    }
}

}  // namespace

TEST_CASE("gemm matches a triple loop for every transpose and tile edge", "[gemm]") {
  std::mt19937_64 rng(11);
  for (std::size_t M : {1ul, 5ul, 6ul, 7ul, 16ul, 17ul, 97ul, 200ul})
    for (std::size_t N : {1ul, 2ul, 8ul, 15ul, 16ul, 17ul, 33ul})
      for (std::size_t K : {1ul, 2ul, 3ul, 128ul, 300ul})
        for (int t = 0; t < 4; ++t) {
          check_shape<float>(M, N, K, t & 1, t & 2, t == 1, false, Activation::identity, rng);
          check_shape<double>(M, N, K, t & 1, t & 2, t == 2, false, Activation::identity, rng);
        }
}

TEST_CASE("gemm epilogue applies bias and activation after the last K block", "[gemm]") {
  std::mt19937_64 rng(12);
  for (Activation act : {Activation::identity, Activation::tanh, Activation::relu})
    for (std::size_t K : {0ul, 2ul, 128ul, 600ul}) {
      check_shape<float>(37, 21, K, false, true, false, true, act, rng);
      check_shape<double>(37, 21, K, false, true, false, true, act, rng);
    }
}

TEST_CASE("gemm with a few output columns (dot products, parallel over rows) matches a triple loop", "[gemm]") {
  std::mt19937_64 rng(14);
  for (std::size_t N : {1ul, 2ul, 3ul, 4ul})
    for (int t = 0; t < 2; ++t) {
      check_shape<float>(3000, N, 128, false, t, t, true, Activation::tanh, rng);
      check_shape<double>(3000, N, 37, false, t, !t, false, Activation::identity, rng);
    }
}

TEST_CASE("gemm over a long K (chunked partial products) matches a triple loop", "[gemm]") {
  std::mt19937_64 rng(13);
  check_shape<float>(128, 128, 5000, true, false, false, false, Activation::identity, rng);
  check_shape<double>(20, 9, 3100, true, false, true, false, Activation::identity, rng);
  check_shape<double>(20, 9, 3100, false, true, false, true, Activation::tanh, rng);
}

TEST_CASE("gemm of a weight gradient with a short side (outer products of rows) matches a triple loop",
          "[gemm]") {
  std::mt19937_64 rng(15);
  for (std::size_t S : {1ul, 2ul, 3ul, 4ul})
    for (std::size_t L : {1ul, 5ul, 16ul, 31ul, 128ul, 300ul, 517ul})
      for (std::size_t K : {1ul, 255ul, 257ul, 2500ul}) {
        check_shape<float>(L, S, K, true, false, K == 257, false, Activation::identity, rng);
        check_shape<double>(S, L, K, true, false, K == 255, false, Activation::identity, rng);
      }
  check_shape<float>(130, 3, 300, true, false, false, true, Activation::tanh, rng);
}

TEST_CASE("the outer-product path gives the bits of the general path on the same columns", "[gemm]") {
  // A 128 × 2 weight gradient against the first two columns of a 128 × 7 one, which the
  // blocked kernel computes: every output has the same additions in the same order.
  std::mt19937_64 rng(16);
  for (std::size_t K : {300ul, 4100ul})
    for (bool accumulate : {false, true}) {
      const std::size_t M = 128, wide = 7;
      const std::vector<float> A = random_vector<float>(K * M, rng), Bw = random_vector<float>(K * wide, rng);
      std::vector<float> B2(K * 2);
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t j = 0; j < 2; ++j) B2[k * 2 + j] = Bw[k * wide + j];
      const std::vector<float> C0 = random_vector<float>(M * wide, rng);
      std::vector<float> Cw = C0, C2(M * 2), CwT(wide * M), C2T(2 * M);
      for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < 2; ++j) C2[i * 2 + j] = C0[i * wide + j];
      gemm<float>(M, wide, K, A.data(), M, true, Bw.data(), wide, false, Cw.data(), wide, accumulate);
      gemm<float>(M, 2, K, A.data(), M, true, B2.data(), 2, false, C2.data(), 2, accumulate);
      for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < 2; ++j) REQUIRE(C2[i * 2 + j] == Cw[i * wide + j]);
      // and transposed: 2 × 128 (the short side first) against the first rows of 7 × 128
      gemm<float>(wide, M, K, Bw.data(), wide, true, A.data(), M, false, CwT.data(), M, false);
      gemm<float>(2, M, K, B2.data(), 2, true, A.data(), M, false, C2T.data(), M, false);
      for (std::size_t i = 0; i < 2 * M; ++i) REQUIRE(C2T[i] == CwT[i]);
    }
}

TEST_CASE("gemm with a packed B gives the bits of the five loops, also inside a parallel region", "[gemm]") {
  // Shapes the general path computes by the five loops (more than four columns, not a short A
  // against a transposed B, K short of a split): K across a KC block edge, N across NR slivers,
  // an epilogue and accumulation; the packed product once on one thread, once inside a region of
  // two threads (where it must not start a region of its own).
  std::mt19937_64 rng(31);
  struct Shape {
    std::size_t M, N, K;
    bool ta, tb;
  };
  for (const Shape& s : {Shape{192, 128, 128, false, true}, Shape{17, 37, 300, true, false},
                         Shape{100, 64, 2, false, false}, Shape{61, 5, 513, true, true}}) {
    const std::vector<float> A = random_vector<float>(s.M * s.K, rng), B = random_vector<float>(s.K * s.N, rng),
                             bias = random_vector<float>(s.N, rng), C0 = random_vector<float>(s.M * s.N, rng);
    const std::size_t lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
    for (bool accumulate : {false, true}) {
      const GemmEpilogue<float> ep{accumulate ? nullptr : bias.data(), accumulate ? Activation::identity : Activation::tanh};
      std::vector<float> general = C0, packed = C0, in_region = C0;
      gemm<float>(s.M, s.N, s.K, A.data(), lda, s.ta, B.data(), ldb, s.tb, general.data(), s.N, accumulate, ep);
      PackedB<float> pb;
      pb.pack(s.K, s.N, B.data(), ldb, s.tb);
      gemm<float>(s.M, A.data(), lda, s.ta, pb, packed.data(), s.N, accumulate, ep);
      // Prefetching memory (here, the next product's operand) changes nothing computed.
      std::vector<float> prefetching = C0;
      gemm<float>(s.M, A.data(), lda, s.ta, pb, prefetching.data(), s.N, accumulate, ep,
                  Prefetch{C0.data(), C0.size() * sizeof(float)});
#pragma omp parallel num_threads(2)
      {
#pragma omp single
        gemm<float>(s.M, A.data(), lda, s.ta, pb, in_region.data(), s.N, accumulate, ep);
      }
      INFO("M " << s.M << " N " << s.N << " K " << s.K << " accumulate " << accumulate);
      CHECK(packed == general);
      CHECK(prefetching == general);
      CHECK(in_region == general);
    }
  }
}

TEST_CASE("an operand written into PackedB's layout equals the same operand packed", "[gemm]") {
  std::mt19937_64 rng(32);
  for (std::size_t K : {1, 7, 192, 256})
    for (std::size_t N : {1, 5, 37, 128}) {
      const std::vector<float> B = random_vector<float>(K * N, rng);
      PackedB<float> packed, written;
      packed.pack(K, N, B.data(), N, false);
      written.shape(K > 1 ? K - 1 : 2, N + 3);  // a previous shape: its entries must not survive
      const std::size_t s = written.shape(K, N);
      for (std::size_t k = 0; k < K; ++k)
        for (std::size_t j = 0; j < N; ++j) written.data()[j / s * s * K + k * s + j % s] = B[k * N + j];
      const std::size_t size = (N + s - 1) / s * s * K;
      INFO("K " << K << " N " << N);
      CHECK(std::equal(packed.panels(), packed.panels() + size, written.panels()));
    }
  PackedB<float> too_tall;
  CHECK_THROWS_WITH(too_tall.shape(PackedB<float>::kPackedRows + 1, 4), Catch::Contains("one panel"));
}
