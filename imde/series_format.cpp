#include "imde/series_format.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

namespace nimde::imde {

SeriesFormat parse_series_format(std::string_view text) {
  if (text == "text") return SeriesFormat::text;
  if (text == "json") return SeriesFormat::json;
  if (text == "latex") return SeriesFormat::latex;
  throw std::invalid_argument("unknown format '" + std::string(text) + "' (known: text, json, latex)");
}

namespace {

// The notation differs between text and LaTeX only in these few spellings.
struct Notation {
  bool latex;

  std::string fraction(const mpz_class& p, const mpz_class& q) const {
    if (q == 1) return p.get_str();
    return latex ? "\\frac{" + p.get_str() + "}{" + q.get_str() + "}" : p.get_str() + "/" + q.get_str();
  }
  std::string number(const Coefficient& x) const {  // |x| if rational, else x in parentheses
    if (x.is_rational()) return fraction(abs(x.rational_part().get_num()), x.rational_part().get_den());
    if (!latex) return "(" + to_string(x) + ")";
    const ode::Rational& a = x.rational_part();
    const ode::Rational& b = x.surd_part();
    std::string root = "\\sqrt{" + std::to_string(x.radicand()) + "}";
    std::string out = "\\left(";
    if (sgn(a) != 0) out += (sgn(a) < 0 ? "-" : "") + fraction(abs(a.get_num()), a.get_den());
    out += sgn(b) < 0 ? " - " : (sgn(a) != 0 ? " + " : "");
    const mpz_class bn = abs(b.get_num());
    const std::string top = (bn == 1 ? "" : bn.get_str() + " ") + root;
    out += b.get_den() == 1 ? top : "\\frac{" + top + "}{" + b.get_den().get_str() + "}";
    return out + "\\right)";
  }
  std::string power(int k) const {
    if (k == 1) return "h";
    return latex ? "h^{" + std::to_string(k) + "}" : "h^" + std::to_string(k);
  }
  std::string remainder(int k) const {
    return latex ? "\\mathcal{O}(" + power(k) + ")" : "O(" + power(k) + ")";
  }
  std::string open() const { return latex ? "\\left(" : "("; }
  std::string close() const { return latex ? "\\right)" : ")"; }
};

// Irrational coefficients are kept whole inside parentheses; only rationals lend their sign.
bool negative(const Coefficient& x) { return x.is_rational() && sgn(x.rational_part()) < 0; }
bool unit(const Coefficient& x) {
  return x.is_rational() && abs(x.rational_part()) == 1;
}

std::string format_lines(const FieldSeries& series, const Notation& n) {
  const RootedTrees& trees = series.trees;
  const auto differential = [&](int id) { return n.latex ? trees.differential_latex(id) : trees.differential(id); };
  std::string out;
  for (int k = 0; k <= series.order; ++k) {
    std::vector<std::pair<Coefficient, int>> terms;
    for (int id = trees.begin(k + 1); id < trees.end(k + 1); ++id) {
      Coefficient c = series.written_once(id);
      if (!c.is_zero()) terms.emplace_back(std::move(c), id);
    }
    if (terms.empty()) continue;
    const bool first_line = out.empty();
    if (k == 0 || terms.size() > 1) {
      // c1 F1 + c2 F2 …, in parentheses after h^k when k > 0.
      std::string sum;
      for (std::size_t i = 0; i < terms.size(); ++i) {
        const auto& [c, id] = terms[i];
        sum += i == 0 ? (negative(c) ? "-" : "") : (negative(c) ? " - " : " + ");
        sum += (unit(c) ? "" : n.number(c) + " ") + differential(id);
      }
      if (k == 0) {
        out += first_line ? sum : "+ " + sum;
      } else {
        out += std::string(first_line ? "" : "+ ") + n.power(k) + " " + n.open() + sum + n.close();
      }
    } else {
      // A single term reads like h/2 f'f or 3/8 h^3 F.
      const auto& [c, id] = terms.front();
      out += negative(c) ? (first_line ? "-" : "- ") : (first_line ? "" : "+ ");
      if (!c.is_rational()) {
        out += n.number(c) + " " + n.power(k);
      } else {
        const mpz_class p = abs(c.rational_part().get_num());
        const mpz_class& q = c.rational_part().get_den();
        if (p == 1 && q == 1) {
          out += n.power(k);
        } else if (p == 1) {
          out += n.latex ? "\\frac{" + n.power(k) + "}{" + q.get_str() + "}" : n.power(k) + "/" + q.get_str();
        } else {
          out += n.fraction(p, q) + " " + n.power(k);
        }
      }
      out += " " + differential(id);
    }
    out += "\n";
  }
  if (out.empty()) out = "0\n";
  return out + "+ " + n.remainder(series.order + 1) + "\n";
}

}  // namespace

std::string to_text(const FieldSeries& series) { return format_lines(series, Notation{false}); }

std::string to_latex(const FieldSeries& series) { return format_lines(series, Notation{true}); }

nlohmann::json to_json(const FieldSeries& series) {
  nlohmann::json terms = nlohmann::json::array();
  for (int id = 0; id < series.trees.size(); ++id) {
    const Tree& t = series.trees[id];
    terms.push_back({{"order", t.order},
                     {"h_power", t.order - 1},
                     {"tree", series.trees.bracket(id)},
                     {"differential", series.trees.differential(id)},
                     {"sigma", t.sigma},
                     {"gamma", t.gamma},
                     {"coefficient", to_string(series.written_once(id))}});
  }
  return {{"method", series.method},
          {"method_order", series.method_order},
          {"kind", to_string(series.kind)},
          {"order", series.order},
          {"terms", std::move(terms)}};
}

std::string format_series(const FieldSeries& series, SeriesFormat format) {
  switch (format) {
    case SeriesFormat::text:
      return to_text(series);
    case SeriesFormat::latex:
      return to_latex(series);
    case SeriesFormat::json:
      return to_json(series).dump(2) + "\n";
  }
  throw std::logic_error("unreachable series format");
}

}  // namespace nimde::imde
