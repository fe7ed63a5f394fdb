// A trained model file put to imde::compare_fields: its network against its system's field and
// the IMDE of its training method at its own h = T/S, on its own test set.
#pragma once

#include "imde/compare.hpp"
#include "nn/model_file.hpp"

namespace nimde::experiments {

/// Evaluates on the model's test set: test_points points from its seed, or for a system whose
/// data are one trajectory (Lorenz) its training pairs, as the paper does.
imde::Comparison compare_model(const nn::Model& model, int order, int correct_order, std::size_t test_points);

}  // namespace nimde::experiments
