#include <algorithm>
#include <chrono>

#include <catch2/catch.hpp>
#include <gmpxx.h>

#include "imde/trees.hpp"

using nimde::imde::RootedTrees;

namespace {

mpz_class factorial(int n) {
  mpz_class f = 1;
  for (int k = 2; k <= n; ++k) f *= k;
  return f;
}

}  // namespace

TEST_CASE("rooted trees per order are 1,1,2,4,9,20,48,115,286,719", "[trees]") {
  const auto start = std::chrono::steady_clock::now();
  const RootedTrees trees(12);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int expected[] = {1, 1, 2, 4, 9, 20, 48, 115, 286, 719, 1842, 4766};  // OEIS A000081
  for (int n = 1; n <= 12; ++n) CHECK(trees.count(n) == expected[n - 1]);
  CHECK(trees.size() == 7813);
  CHECK(seconds < 1.0);
}

TEST_CASE("trees up to order 4 come in the paper's order with their differentials", "[trees]") {
  const RootedTrees trees(4);
  const char* brackets[] = {"τ", "[τ]", "[ττ]", "[[τ]]", "[τττ]", "[[τ]τ]", "[[ττ]]", "[[[τ]]]"};
  const char* differentials[] = {"f", "f'f", "f''(f,f)", "f'f'f", "f'''(f,f,f)", "f''(f'f,f)", "f'f''(f,f)", "f'f'f'f"};
  // By hand: σ counts the symmetries, γ = |τ| Π γ(children).
  const long sigma[] = {1, 1, 2, 1, 6, 1, 2, 1};
  const long gamma[] = {1, 2, 3, 6, 4, 8, 12, 24};
  REQUIRE(trees.size() == 8);
  for (int id = 0; id < 8; ++id) {
    INFO(id);
    CHECK(trees.bracket(id) == brackets[id]);
    CHECK(trees.differential(id) == differentials[id]);
    CHECK(trees[id].sigma == sigma[id]);
    CHECK(trees[id].gamma == gamma[id]);
  }
  CHECK(trees.differential_latex(5) == "f^{\\prime\\prime}(f^{\\prime}f,f)");
}

TEST_CASE("higher derivatives print as f^(m) and children of higher order come first", "[trees]") {
  const RootedTrees trees(8);
  CHECK(trees.differential(trees.begin(5)) == "f^(4)(f,f,f,f)");
  CHECK(trees.differential_latex(trees.begin(5)) == "f^{(4)}(f,f,f,f)");
  CHECK(trees.differential(trees.find({1, 2, 0})) == "f'''(f''(f,f),f'f,f)");
  CHECK(trees.bracket(trees.find({0, 1, 2})) == "[[ττ][τ]τ]");
  for (int id = 0; id < trees.size(); ++id) {
    const auto& c = trees[id].children;
    CHECK(std::is_sorted(c.begin(), c.end(), [&](int x, int y) { return trees[x].order > trees[y].order; }));
  }
}

// Two classical counts that do not use the generator: n!/σ(τ) labellings of each tree give
// Cayley's n^(n−1) labelled rooted trees, and n!/(σ(τ)γ(τ)) monotone labellings sum to (n−1)!.
TEST_CASE("symmetries and densities satisfy Cayley's count and the monotone labelling count", "[trees]") {
  const RootedTrees trees(11);
  for (int n = 1; n <= 11; ++n) {
    mpz_class labelled = 0, monotone = 0;
    for (int id = trees.begin(n); id < trees.end(n); ++id) {
      labelled += factorial(n) / trees[id].sigma;
      monotone += factorial(n) / (mpz_class(trees[id].sigma) * trees[id].gamma);
    }
    mpz_class cayley;
    mpz_ui_pow_ui(cayley.get_mpz_t(), n, n - 1);
    CHECK(labelled == cayley);
    CHECK(monotone == factorial(n - 1));
  }
}

TEST_CASE("every tree is found from its children in any order and is left graft right", "[trees]") {
  const RootedTrees trees(9);
  for (int id = 1; id < trees.size(); ++id) {
    std::vector<int> children = trees[id].children;
    std::reverse(children.begin(), children.end());
    CHECK(trees.find(children) == id);
    CHECK(trees.graft(trees[id].left, trees[id].right) == id);
    CHECK(trees[trees[id].left].order + trees[trees[id].right].order == trees[id].order);
  }
  const int bushy = trees.find({0, 0});  // [ττ]
  const int tall = trees.find({1});      // [[τ]]
  CHECK(trees.merge(bushy, tall) == trees.find({0, 0, 1}));
  CHECK(trees.merge(tall, bushy) == trees.find({1, 0, 0}));
  CHECK(trees.graft(trees.end(8) - 1, 1) == -1);  // 10 nodes: beyond the set
  CHECK(trees.find({trees.end(8) - 1}) == trees.end(9) - 1);
  CHECK(trees.find({trees.end(8) - 1, 0}) == -1);
}

TEST_CASE("the trees of a smaller set are a prefix of a larger one", "[trees]") {
  const RootedTrees small(6), large(9);
  for (int id = 0; id < small.size(); ++id) {
    CHECK(small.bracket(id) == large.bracket(id));
    CHECK(small[id].children == large[id].children);
  }
}

TEST_CASE("tree sets outside 1..16 nodes are refused", "[trees]") {
  CHECK_THROWS_AS(RootedTrees(0), std::invalid_argument);
  CHECK_THROWS_AS(RootedTrees(17), std::invalid_argument);
}
