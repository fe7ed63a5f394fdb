#include "autodiff/parallel.hpp"

#include <stdexcept>
#include <string>

#include <omp.h>

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

}  // namespace nimde::autodiff
