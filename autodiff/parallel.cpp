#include "autodiff/parallel.hpp"

#include <stdexcept>
#include <string>

#include <omp.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace nimde::autodiff {

void set_num_threads(int k) {
  if (k < 1) throw std::invalid_argument("thread count must be at least 1, got " + std::to_string(k));
  omp_set_num_threads(k);
}

int num_threads() { return omp_get_max_threads(); }

ThreadScope::ThreadScope(int threads) : saved_(omp_get_max_threads()) {
  if (threads < 0) throw std::invalid_argument("thread count must not be negative, got " + std::to_string(threads));
  if (threads > 0) omp_set_num_threads(threads);
}

ThreadScope::~ThreadScope() { omp_set_num_threads(saved_); }

namespace {

#if defined(__SSE2__)
constexpr unsigned kFlushBits = 0x8040;  // MXCSR's flush-to-zero (bit 15) and denormals-are-zero (bit 6)
unsigned flush_mode() { return _mm_getcsr() & kFlushBits; }
void set_flush_mode(unsigned bits) { _mm_setcsr((_mm_getcsr() & ~kFlushBits) | bits); }
#else
constexpr unsigned kFlushBits = 0;
unsigned flush_mode() { return 0; }
void set_flush_mode(unsigned) {}
#endif

/// The mode on the calling thread, which the threads it starts from now on inherit, and on the
/// threads of its OpenMP pool that exist already (their mode is their own).
void set_flush_mode_everywhere(unsigned bits) {
  set_flush_mode(bits);
  if (omp_in_parallel()) return;
#pragma omp parallel num_threads(omp_get_max_threads())
  set_flush_mode(bits);
}

}  // namespace

FlushSubnormals::FlushSubnormals() : saved_(flush_mode()) { set_flush_mode_everywhere(kFlushBits); }

FlushSubnormals::~FlushSubnormals() { set_flush_mode_everywhere(saved_); }

}  // namespace nimde::autodiff
