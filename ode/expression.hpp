// Vector fields written as text, such as the pendulum "p' = -10*sin(q); q' = p".
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "autodiff/functions.hpp"

namespace nimde::ode {

namespace detail {
struct Instruction;
}

/// A vector field parsed from text, evaluable on any number-like type.
///
/// The text is a list of `name' = expression` separated by `;` or newlines; the left sides name
/// the state variables, in order. Expressions have + - * / and ^ (right-associative and tighter
/// than a unary minus on its left: -q^2 = -(q^2)), parentheses, numbers (3, 1.5, .5, 2.5e-3),
/// the constant `pi`, parameters, and every function of one argument of autodiff/functions.hpp:
/// sin cos tan exp log sqrt tanh abs sigmoid softplus relu elu square and the rest of that list.
///
/// Parsing compiles each component once into postfix code. Parameters are fixed at that point,
/// and every constant subexpression is folded into the operation that uses it (with the
/// function's double version), so evaluation never builds a V from a plain number. Requirements
/// on the value type V:
///   - copy- and move-constructible (neither a default constructor nor one from double is used);
///   - V+V, V-V, V*V, V/V, -V, and + - * / with double on either side, each convertible to V;
///   - the functions the text uses, found by argument-dependent lookup or among
///     nimde::autodiff's (double, Jet, Var, Array). Evaluating a function V lacks throws
///     std::invalid_argument naming it.
/// `^` with a constant integer exponent n is binary powering (x^-n = 1/x^n, x^0 = 1); any other
/// power a^b is exp(b*log(a)). A component that is a constant c (`x' = 2`) comes back as
/// y[0] * 0.0 + c, so that it has y[0]'s shape (a batch, a tape) rather than that of a scalar
/// (and is NaN where y[0] is not finite).
class ExpressionField {
 public:
  /// Names that are not state variables are looked up in `params`, then `pi`. Throws
  /// std::invalid_argument with a one-line message quoting the text and the offending column.
  static ExpressionField parse(std::string_view text, const std::map<std::string, double>& params = {});

  std::size_t dim() const { return names_.size(); }
  /// State variable names, in order.
  const std::vector<std::string>& names() const { return names_; }
  /// The text that was parsed.
  const std::string& source() const { return source_; }

  /// f(y), with one value of y per state variable. Allocates nothing but the result unless an
  /// expression needs more than 16 stack levels.
  template <class V>
  std::vector<V> operator()(const std::vector<V>& y) const;

 private:
  /// One right-hand side: a range of `code_`, or a constant.
  struct Component {
    std::uint32_t begin = 0, end = 0;
    bool is_constant = false;
    double constant = 0;
  };

  std::string source_;
  std::vector<std::string> names_;
  std::vector<detail::Instruction> code_;
  std::vector<Component> components_;
  std::size_t stack_depth_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluator. The parser and compiler live in expression.cpp.
// ---------------------------------------------------------------------------------------------
namespace detail {

/// Operations of the postfix code.
#define NIMDE_FUNCTION_OPCODE(name, Rule, domain) name,
enum class OpCode : std::uint8_t {
  load,                                               // push y[arg]
  neg,                                                // x -> -x
  NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_OPCODE)  // x -> f(x)
  powi,                                               // x -> x^arg
  add, sub, mul, div, pow,                            // (a, b) -> a op b
};
#undef NIMDE_FUNCTION_OPCODE

/// Where a binary operation finds its operands: both on the stack, or one of them folded
/// into the instruction as `value`.
enum class Operands : std::uint8_t { stack, constant_right, constant_left };

struct Instruction {
  OpCode op;
  Operands operands = Operands::stack;
  std::int32_t arg = 0;  // load: state index; powi: exponent
  double value = 0;      // the folded operand
};

[[noreturn]] void throw_state_size(const std::string& source, std::size_t expected, std::size_t got);
[[noreturn]] void throw_missing_function(const char* name);

/// The evaluation stack. A level either borrows an input component (so loading a variable
/// copies nothing) or owns a computed value; levels live inline up to kInline deep.
template <class V>
class EvalStack {
 public:
  explicit EvalStack(std::size_t depth)
      : levels_(depth <= kInline ? inline_ : (heap_ = std::make_unique<Level[]>(depth)).get()) {}
  EvalStack(const EvalStack&) = delete;
  EvalStack& operator=(const EvalStack&) = delete;
  ~EvalStack() {
    while (size_ > 0) pop();
  }

  void borrow(const V& v) { levels_[size_++].ref = &v; }
  /// The value `from_top` levels below the top.
  const V& at(std::size_t from_top) const { return *levels_[size_ - 1 - from_top].ref; }
  /// Drops the top `count` levels and pushes r in their place.
  void replace(std::size_t count, V&& r) {
    while (count-- > 0) pop();
    Level& l = levels_[size_++];
    l.ref = std::construct_at(&l.own, std::move(r));
  }
  /// Pops the top, moving it out if owned and copying it if borrowed.
  V take() {
    Level& l = levels_[size_ - 1];
    V r = owned(l) ? V(std::move(l.own)) : V(*l.ref);
    pop();
    return r;
  }

 private:
  static constexpr std::size_t kInline = 16;
  struct Level {
    Level() {}
    ~Level() {}
    const V* ref;
    union {
      V own;
    };
  };
  static bool owned(const Level& l) { return l.ref == &l.own; }
  void pop() {
    Level& l = levels_[--size_];
    if (owned(l)) std::destroy_at(&l.own);
  }

  Level inline_[kInline];
  std::unique_ptr<Level[]> heap_;
  Level* levels_;
  std::size_t size_ = 0;
};

/// x^n for n >= 1 in at most 2·log2(n) products.
template <class V>
V power(const V& x, std::uint32_t n) {
  if (n == 1) return x;
  const V half = power(x, n / 2);
  return n % 2 == 1 ? V(half * half * x) : V(half * half);
}

/// Runs the code [first, last), which leaves one value on the stack.
template <class V>
void run(const Instruction* first, const Instruction* last, const std::vector<V>& y, EvalStack<V>& s) {
  // The list's functions: nimde::autodiff's for double, Jet, Var and Array; V's own by
  // argument-dependent lookup.
#define NIMDE_USING_FUNCTION(name, Rule, domain) using autodiff::name;
  NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_USING_FUNCTION)
#undef NIMDE_USING_FUNCTION
  for (const Instruction* ins = first; ins != last; ++ins) {
    // Results are built into a V inside each lambda, so lazy expression types never outlive
    // their operands.
    const auto unary = [&](auto f) { s.replace(1, f(s.at(0))); };
    const auto binary = [&](auto f) {
      switch (ins->operands) {
        case Operands::stack: return s.replace(2, f(s.at(1), s.at(0)));
        case Operands::constant_right: return s.replace(1, f(s.at(0), ins->value));
        case Operands::constant_left: return s.replace(1, f(ins->value, s.at(0)));
      }
    };
    switch (ins->op) {
      case OpCode::load: s.borrow(y[static_cast<std::size_t>(ins->arg)]); break;
      case OpCode::neg: unary([](const V& a) { return V(-a); }); break;
#define NIMDE_FUNCTION_CASE(name, Rule, domain)                       \
  case OpCode::name:                                                  \
    if constexpr (requires(const V& a) { V(name(a)); })               \
      unary([](const V& a) { return V(name(a)); });                   \
    else                                                              \
      throw_missing_function(#name);                                  \
    break;
      NIMDE_ELEMENTWISE_FUNCTIONS(NIMDE_FUNCTION_CASE)
#undef NIMDE_FUNCTION_CASE
      case OpCode::powi:
        unary([n = ins->arg](const V& a) {
          return n > 0 ? power(a, static_cast<std::uint32_t>(n)) : V(1.0 / power(a, static_cast<std::uint32_t>(-n)));
        });
        break;
      case OpCode::add: binary([](const auto& a, const auto& b) { return V(a + b); }); break;
      case OpCode::sub: binary([](const auto& a, const auto& b) { return V(a - b); }); break;
      case OpCode::mul: binary([](const auto& a, const auto& b) { return V(a * b); }); break;
      case OpCode::div: binary([](const auto& a, const auto& b) { return V(a / b); }); break;
      case OpCode::pow: binary([](const auto& a, const auto& b) { return V(exp(b * log(a))); }); break;
    }
  }
}

}  // namespace detail

template <class V>
std::vector<V> ExpressionField::operator()(const std::vector<V>& y) const {
  if (y.size() != dim()) detail::throw_state_size(source_, dim(), y.size());
  std::vector<V> out;
  out.reserve(dim());
  detail::EvalStack<V> stack(stack_depth_);
  for (const Component& c : components_) {
    if (c.is_constant) {
      out.emplace_back(y[0] * 0.0 + c.constant);
      continue;
    }
    detail::run(code_.data() + c.begin, code_.data() + c.end, y, stack);
    out.push_back(stack.take());
  }
  return out;
}

}  // namespace nimde::ode
