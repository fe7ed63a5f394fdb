// Points files of `nimde imde eval --points FILE`: CSV, one point per line, one number per
// variable; blank lines and lines starting with '#' are skipped; a first line that is not
// numbers is a header and must name the variables, in order.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "autodiff/tensor.hpp"

namespace nimde::experiments {

/// The most points a points file may hold (a bigger file is a mistake, not a plan).
inline constexpr std::size_t kMaxFilePoints = 1'000'000;
/// The largest points file read, in bytes.
inline constexpr std::size_t kMaxPointsFileBytes = std::size_t{256} << 20;

/// The points of CSV text, n × d with d = names.size(): every value finite, every row d
/// values, at least one and at most kMaxFilePoints rows. Errors name the line ("line 3: ...").
autodiff::Tensor<double> points_from_csv(std::string_view text, const std::vector<std::string>& names);

/// points_from_csv of the file at `path`; errors name the file.
autodiff::Tensor<double> load_points(const std::string& path, const std::vector<std::string>& names);

}  // namespace nimde::experiments
