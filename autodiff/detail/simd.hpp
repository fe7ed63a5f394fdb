// The SIMD batch type of the host architecture, shared by every kernel. Internal: include
// only from .cpp files. The functions on batches are the rules of detail/rules.hpp.
#pragma once

#include <xsimd/xsimd.hpp>

namespace nimde::autodiff::detail {

/// xsimd's batch for the architecture the build targets (fma3<avx2> with -march=native here).
template <class T>
using Batch = xsimd::batch<T>;

}  // namespace nimde::autodiff::detail
