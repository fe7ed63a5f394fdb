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

}  // namespace nimde::autodiff
