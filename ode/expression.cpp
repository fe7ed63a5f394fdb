// Expression fields: a tokenizer, then a recursive-descent parser that emits postfix code as it
// reads, folding constants on the way.
//
// Grammar, loosest first:
//   field      := equation { (';' | newline) equation }      (empty equations are skipped)
//   equation   := name "'" '=' expression
//   expression := term { ('+' | '-') term }
//   term       := unary { ('*' | '/') unary }
//   unary      := ('-' | '+') unary | power
//   power      := primary [ '^' unary ]                      (so 2^3^2 = 2^9 and 2^-1 = 0.5)
//   primary    := number | name | function '(' expression ')' | '(' expression ')'
#include "ode/expression.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <numbers>
#include <optional>
#include <stdexcept>

#include "ode/checked_input.hpp"

namespace nimde::ode {

namespace detail {

void throw_state_size(const std::string& source, std::size_t expected, std::size_t got) {
  throw std::invalid_argument("field " + shown(source) + " has " + std::to_string(expected) +
                              " components, but the state has " + std::to_string(got));
}

void throw_missing_function(const char* name) {
  throw std::invalid_argument(std::string("the function '") + name + "' is not defined for this field's value type");
}

}  // namespace detail

namespace {

using detail::Instruction;
using ode::shown;
using detail::OpCode;
using detail::Operands;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// "column 7", or "line 2, column 3" when the text has several lines.
std::string where(std::string_view text, std::size_t pos) {
  if (text.find('\n') == std::string_view::npos) return "column " + std::to_string(pos + 1);
  const std::string_view before = text.substr(0, pos);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(pos - line_start + 1);
}

/// The text as an error quotes it, in double quotes on one line (newlines shown as \n): whole
/// when short, else a window around `pos` and the length (a 100 KB field is not echoed whole),
/// cut at whole UTF-8 characters.
std::string quoted(std::string_view text, std::optional<std::size_t> pos) {
  constexpr std::size_t kWhole = 100, kSide = 40;
  std::size_t first = 0, last = text.size();
  if (text.size() > kWhole) {
    const std::size_t at = std::min(pos.value_or(0), text.size());
    first = at > kSide ? at - kSide : 0;
    last = std::min(text.size(), first + 2 * kSide);
    const auto continuation = [&](std::size_t i) {
      return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    };
    while (first > 0 && continuation(first)) --first;
    while (continuation(last)) ++last;
  }
  std::string out = first > 0 ? "\"…" : "\"";
  for (char c : text.substr(first, last - first)) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  out += last < text.size() ? "…\"" : "\"";
  if (first > 0 || last < text.size()) out += " (" + std::to_string(text.size()) + " characters)";
  return out;
}

/// Throws `field "<text>": <what>[ at <position>]<tail>`, on one line.
[[noreturn]] void fail(std::string_view text, const std::string& what, std::optional<std::size_t> pos = {},
                       const std::string& tail = "") {
  std::string message = "field " + quoted(text, pos) + ": " + what;
  if (pos) message += " at " + where(text, *pos);
  throw std::invalid_argument(message + tail);
}

/// The number literal text[i, j). A literal beyond the doubles is refused rather than read as
/// some other number; one below the smallest subnormal is the 0 it rounds to.
double number_literal(std::string_view text, std::size_t i, std::size_t j) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data() + i, text.data() + j, v);
  if (ec == std::errc() && end == text.data() + j) return v;
  const std::string literal(text.substr(i, j - i));
  v = std::strtod(literal.c_str(), nullptr);  // out of range: HUGE_VAL on overflow, 0 or a subnormal on underflow
  if (std::isinf(v)) fail(text, "number " + ode::shown(literal) + " is too large for a double", i);
  return v;
}

/// "a, b, c", or its first 200 characters and a count when the list is long.
std::string join(const std::vector<std::string>& names) {
  constexpr std::size_t kMaxShown = 200;
  if (names.empty()) return "none";
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (out.size() + names[k].size() > kMaxShown)
      return out + ", … (" + std::to_string(names.size()) + " in all)";
    out += (out.empty() ? "" : ", ") + names[k];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

enum class Tok { name, number, prime, equals, plus, minus, star, slash, caret, lparen, rparen, comma, separator, end };

struct Token {
  Tok kind;
  std::size_t pos, len;
  double number = 0;
};

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == ';' || c == '\n') {
      out.push_back({Tok::separator, i, 1});
      ++i;
    } else if (is_digit(c) || (c == '.' && i + 1 < text.size() && is_digit(text[i + 1]))) {
      std::size_t j = i;
      while (j < text.size() && is_digit(text[j])) ++j;
      if (j < text.size() && text[j] == '.') ++j;
      while (j < text.size() && is_digit(text[j])) ++j;
      if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
        if (k == text.size() || !is_digit(text[k])) {
          fail(text, "malformed number " + shown(text.substr(i, k - i)), i);
        }
        while (k < text.size() && is_digit(text[k])) ++k;
        j = k;
      }
      out.push_back({Tok::number, i, j - i, number_literal(text, i, j)});
      i = j;
    } else if (is_name_start(c)) {
      std::size_t j = i;
      while (j < text.size() && is_name_char(text[j])) ++j;
      out.push_back({Tok::name, i, j - i});
      i = j;
    } else {
      Tok kind;
      switch (c) {
        case '\'': kind = Tok::prime; break;
        case '=': kind = Tok::equals; break;
        case '+': kind = Tok::plus; break;
        case '-': kind = Tok::minus; break;
        case '*': kind = Tok::star; break;
        case '/': kind = Tok::slash; break;
        case '^': kind = Tok::caret; break;
        case '(': kind = Tok::lparen; break;
        case ')': kind = Tok::rparen; break;
        case ',': kind = Tok::comma; break;
        default: {
          // Show a multi-byte UTF-8 character whole.
          std::size_t j = i + 1;
          while (j < text.size() && j < i + 4 && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
          fail(text, "unknown character '" + std::string(text.substr(i, j - i)) + "'", i);
        }
      }
      out.push_back({kind, i, 1});
      ++i;
    }
  }
  out.push_back({Tok::end, text.size(), 0});
  return out;
}

bool ends_equation(const Token& t) { return t.kind == Tok::separator || t.kind == Tok::end; }

// ---------------------------------------------------------------------------------------------
// Functions and folding
// ---------------------------------------------------------------------------------------------

struct Function {
  std::string_view name;
  OpCode op;
};
#define NIMDE_FUNCTION_NAME(name, Rule, domain) {#name, OpCode::name},
constexpr Function kFunctions[] = {NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_NAME)};
#undef NIMDE_FUNCTION_NAME

std::optional<OpCode> find_function(std::string_view name) {
  for (const Function& f : kFunctions) {
    if (f.name == name) return f.op;
  }
  return std::nullopt;
}

double fold(OpCode op, double a) {
  switch (op) {
    case OpCode::neg: return -a;
#define NIMDE_FOLD_FUNCTION(name, Rule, domain) \
  case OpCode::name: return autodiff::name(a);
      NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FOLD_FUNCTION)
#undef NIMDE_FOLD_FUNCTION
    default: return a;
  }
}

double fold(OpCode op, double a, double b) {
  switch (op) {
    case OpCode::add: return a + b;
    case OpCode::sub: return a - b;
    case OpCode::mul: return a * b;
    case OpCode::div: return a / b;
    case OpCode::pow: return std::pow(a, b);
    default: return a;
  }
}

/// Exponents that binary powering handles exactly and quickly.
std::optional<std::int32_t> small_integer(double b) {
  if (std::trunc(b) != b || std::abs(b) > 1e9) return std::nullopt;
  return static_cast<std::int32_t>(b);
}

// ---------------------------------------------------------------------------------------------
// Compiler
// ---------------------------------------------------------------------------------------------

/// A compiled subexpression: a constant, or the code from `begin` to the end of the program,
/// which leaves one value on the stack.
struct Value {
  bool constant;
  double number;
  std::size_t begin;
};

class Compiler {
 public:
  Compiler(std::string_view text, const std::vector<Token>& tokens, const std::vector<std::string>& names,
           const std::map<std::string, double>& params, std::vector<Instruction>& code)
      : text_(text), tokens_(tokens), names_(names), params_(params), code_(code) {}

  /// Compiles the right side of `lhs' = ...` that starts at token i.
  Value right_side(std::size_t i, const std::string& lhs) {
    i_ = i;
    depth_ = 0;
    if (ends_equation(peek())) fail(text_, "empty expression for " + lhs + "'", peek().pos);
    const Value v = expression();
    if (!ends_equation(peek())) {
      fail(text_, (peek().kind == Tok::rparen ? "unmatched " : "unexpected ") + quote(peek()), peek().pos);
    }
    return v;
  }

  std::size_t max_depth() const { return max_depth_; }

 private:
  static constexpr std::size_t kMaxNesting = 256;  // far beyond any field, well within the C++ stack

  const Token& peek() const { return tokens_[i_]; }
  std::string quote(const Token& t) const { return shown(text_.substr(t.pos, t.len)); }
  std::string_view spelling(const Token& t) const { return text_.substr(t.pos, t.len); }

  Value expression() {
    Value v = term();
    while (peek().kind == Tok::plus || peek().kind == Tok::minus) {
      const OpCode op = peek().kind == Tok::plus ? OpCode::add : OpCode::sub;
      ++i_;
      v = apply(op, v, term());
    }
    return v;
  }

  Value term() {
    Value v = unary();
    while (peek().kind == Tok::star || peek().kind == Tok::slash) {
      const OpCode op = peek().kind == Tok::star ? OpCode::mul : OpCode::div;
      ++i_;
      v = apply(op, v, unary());
    }
    return v;
  }

  Value unary() {
    // Every path back into expression() passes here, so this bounds the recursion.
    if (++nesting_ > kMaxNesting) fail(text_, "expression nested too deeply", peek().pos);
    Value v;
    if (peek().kind == Tok::minus) {
      ++i_;
      v = apply(OpCode::neg, unary());
    } else if (peek().kind == Tok::plus) {
      ++i_;
      v = unary();
    } else {
      v = power();
    }
    --nesting_;
    return v;
  }

  Value power() {
    const Value base = primary();
    if (peek().kind != Tok::caret) return base;
    ++i_;
    return apply(OpCode::pow, base, unary());
  }

  Value primary() {
    const Token& t = peek();
    if (t.kind == Tok::number) {
      ++i_;
      return constant(t.number);
    }
    if (t.kind == Tok::lparen) {
      ++i_;
      const Value v = expression();
      expect_rparen(std::nullopt);
      return v;
    }
    if (t.kind != Tok::name) fail(text_, "expected a number, a name or '('", t.pos);
    const std::string name(spelling(t));
    ++i_;
    const std::optional<OpCode> function = find_function(name);
    if (peek().kind == Tok::lparen) {
      if (!function) fail(text_, "unknown function " + shown(name), t.pos);
      ++i_;
      const Value v = expression();
      expect_rparen(name);
      return apply(*function, v);
    }
    if (function) fail(text_, "expected '(' after " + shown(name), peek().pos);
    return variable(name, t.pos);
  }

  void expect_rparen(const std::optional<std::string>& function) {
    if (peek().kind == Tok::rparen) {
      ++i_;
      return;
    }
    const std::string why = function && peek().kind == Tok::comma ? " (" + *function + " takes one argument)" : "";
    fail(text_, "expected ')'", peek().pos, why);
  }

  Value variable(const std::string& name, std::size_t pos) {
    const auto state = std::find(names_.begin(), names_.end(), name);
    if (state != names_.end()) {
      const Value v{false, 0, code_.size()};
      emit({OpCode::load, Operands::stack, static_cast<std::int32_t>(state - names_.begin())}, +1);
      return v;
    }
    if (const auto p = params_.find(name); p != params_.end()) return constant(p->second);
    if (name == "pi") return constant(std::numbers::pi);
    std::vector<std::string> params;
    for (const auto& [key, value] : params_) params.push_back(key);
    fail(text_, "unknown variable " + shown(name), pos,
         " (state variables: " + join(names_) + "; parameters: " + join(params) + ")");
  }

  static Value constant(double c) { return {true, c, 0}; }

  void emit(Instruction ins, int depth_change) {
    code_.push_back(ins);
    depth_ = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(depth_) + depth_change);
    max_depth_ = std::max(max_depth_, depth_);
  }

  Value apply(OpCode op, Value a) {
    if (a.constant) return constant(fold(op, a.number));
    emit({op}, 0);
    return a;
  }

  Value apply(OpCode op, Value a, Value b) {
    if (a.constant && b.constant) return constant(fold(op, a.number, b.number));
    if (op == OpCode::pow && b.constant) {
      if (const std::optional<std::int32_t> n = small_integer(b.number)) {
        if (*n == 0) {  // x^0 = 1 whatever x is: drop x's code
          code_.resize(a.begin);
          --depth_;
          return constant(1);
        }
        if (*n != 1) emit({OpCode::powi, Operands::stack, *n}, 0);
        return a;
      }
    }
    if (b.constant) {
      emit({op, Operands::constant_right, 0, b.number}, 0);
      return a;
    }
    if (a.constant) {
      emit({op, Operands::constant_left, 0, a.number}, 0);
      return b;
    }
    emit({op, Operands::stack}, -1);
    return a;
  }

  std::string_view text_;
  const std::vector<Token>& tokens_;
  const std::vector<std::string>& names_;
  const std::map<std::string, double>& params_;
  std::vector<Instruction>& code_;
  std::size_t i_ = 0;
  std::size_t depth_ = 0;
  std::size_t max_depth_ = 0;
  std::size_t nesting_ = 0;
};

}  // namespace

ExpressionField ExpressionField::parse(std::string_view text, const std::map<std::string, double>& params) {
  ExpressionField field;
  field.source_ = std::string(text);
  const std::vector<Token> tokens = tokenize(text);

  // Left sides first, since any right side may use any state variable.
  std::vector<std::size_t> right_sides;
  for (std::size_t i = 0; tokens[i].kind != Tok::end;) {
    if (tokens[i].kind == Tok::separator) {
      ++i;
      continue;
    }
    const Token& name_token = tokens[i];
    if (name_token.kind != Tok::name) fail(text, "expected a state variable name", name_token.pos);
    const std::string name(text.substr(name_token.pos, name_token.len));
    if (tokens[i + 1].kind != Tok::prime) {
      fail(text, "expected ' after " + shown(name) + (name.size() <= 20 ? " (as in " + name + "' = ...)" : ""),
           tokens[i + 1].pos);
    }
    if (tokens[i + 2].kind != Tok::equals) fail(text, "expected '='", tokens[i + 2].pos);
    if (std::find(field.names_.begin(), field.names_.end(), name) != field.names_.end()) {
      fail(text, "duplicate state variable " + shown(name), name_token.pos);
    }
    if (name == "pi" || find_function(name)) {
      fail(text, shown(name) + " is reserved and cannot name a state variable", name_token.pos);
    }
    if (params.count(name) > 0) {
      fail(text, shown(name) + " is both a state variable and a parameter", name_token.pos);
    }
    field.names_.push_back(name);
    i += 3;
    right_sides.push_back(i);
    while (!ends_equation(tokens[i])) ++i;
  }
  if (field.names_.empty()) fail(text, "no equations (expected something like \"x' = -y; y' = x\")");

  Compiler compiler(text, tokens, field.names_, params, field.code_);
  for (std::size_t k = 0; k < right_sides.size(); ++k) {
    const Value v = compiler.right_side(right_sides[k], field.names_[k]);
    Component c;
    if (v.constant) {
      c.is_constant = true;
      c.constant = v.number;
    } else {
      c.begin = static_cast<std::uint32_t>(v.begin);
      c.end = static_cast<std::uint32_t>(field.code_.size());
    }
    field.components_.push_back(c);
  }
  field.stack_depth_ = compiler.max_depth();
  return field;
}

}  // namespace nimde::ode
