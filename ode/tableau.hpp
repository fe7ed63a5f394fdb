// Runge–Kutta methods as data. A method with s stages is its Butcher tableau
//
//   c | A          Y_i     = y_n + h Σ_j a_ij f(Y_j)        i = 1..s
//   --+---         y_{n+1} = y_n + h Σ_i b_i f(Y_i)
//     | bᵀ
//
// kept twice: exactly (for the B-series of imde/) and as the nearest doubles (for stepping).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ode/quadratic_rational.hpp"

namespace nimde::ode {

/// A Runge–Kutta method as data: exact entries (for B-series) and the nearest doubles (for stepping).
struct Tableau {
  std::string name;
  std::vector<std::vector<QuadraticRational>> A_exact;  ///< s rows of s entries
  std::vector<QuadraticRational> b_exact, c_exact;      ///< weights and nodes
  std::vector<double> A;                                ///< s*s row-major
  std::vector<double> b, c;
  int order = 0;  ///< classical order: known for the catalogue; 0 = unknown (imde::method_order computes it)

  int stages() const { return static_cast<int>(b_exact.size()); }
  bool is_explicit() const;  ///< A strictly lower triangular: each stage needs only earlier ones
};

/// Builds a tableau from exact entries, deriving the doubles; c defaults to the row sums of A.
/// Throws std::invalid_argument("tableau: ...") if the shapes disagree.
Tableau make_tableau(std::string name, std::vector<std::vector<QuadraticRational>> A,
                     std::vector<QuadraticRational> b, std::vector<QuadraticRational> c = {},
                     int order = 0);

/// A method of the catalogue by name; throws std::invalid_argument naming the unknown method.
const Tableau& rk_tableau(std::string_view name);

/// The names of the catalogue, in a fixed order (lowest order first).
std::vector<std::string> rk_method_names();

/// The most stages a tableau file may have: far beyond any method in use, and it keeps the
/// B-series work (which grows with the stages) bounded.
inline constexpr std::size_t kMaxStages = 64;
/// The longest entry of a tableau file, in characters (an exact decimal of 1000 digits is plenty).
inline constexpr std::size_t kMaxEntryLength = 1000;

/// How a tableau file is read. Weights b that do not sum to 1 make a method that is not
/// consistent (it converges to nothing): refused unless `allow_inconsistent`.
struct TableauReading {
  bool allow_inconsistent = false;
};

/// Parses {"name": "...", "A": [["0","0"],["1/2","0"]], "b": ["0","1"], "c": ["0","1/2"]}.
/// Entries are rational strings ("1/2", "-3"), decimal strings converted exactly ("0.1" is 1/10)
/// or JSON numbers (taken at their shortest decimal form), each within the range of a double;
/// "c" may be omitted (row sums of A), "name" defaults to "custom"; at most kMaxStages stages.
/// Errors name the key and value ("tableau: b[1] = 'x/0' ...").
Tableau tableau_from_json(std::string_view json_text, TableauReading reading = {});

/// Reads a tableau JSON file (name defaults to the file's stem); errors name the file.
Tableau load_tableau(const std::string& path, TableauReading reading = {});

/// "" or one line saying where c differs from the row sums of A: legal (c only places the
/// stages in time), but rarely meant, and a method's order conditions assume c = A·1.
std::string tableau_warning(const Tableau& t);

}  // namespace nimde::ode
