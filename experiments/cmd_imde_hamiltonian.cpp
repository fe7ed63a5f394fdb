// `nimde imde hamiltonian`: the inverse modified Hamiltonian H_h^[N] of a symplectic method.
//   nimde imde hamiltonian (--system NAME | --field EXPR [--param a=1] --canonical | --model FILE [--canonical])
//                          (--method M | --tableau FILE) --h H --order N (--at "p,q" | --points FILE.csv)
//                          [--ref "p,q"] [--format csv|json]
// prints, per point, the coordinates, H_h (= H(y_ref) + ∫ J f_h^[N] along the straight path from
// y_ref, imde/hamiltonian.hpp) and the true H when the system knows it. y_ref defaults to the centre
// of the system's sampling domain (a model: its true system's; an expression: the origin). A method
// that is not symplectic still gets the straight-path integral, with a statement on stderr (and in
// JSON) that its IMDE is not Hamiltonian and the measures that show it (mean |div f_h^[N]| for
// d = 2, the mean difference between two paths), beside the same for order 0, the field itself.
// An expression field, or a model trained on one, needs --canonical to be taken as Hamiltonian.
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/commands.hpp"
#include "experiments/imde_inputs.hpp"
#include "experiments/output.hpp"
#include "imde/hamiltonian.hpp"
#include "ode/checked_input.hpp"

namespace nimde::experiments {

namespace {

struct HamiltonianOptions {
  ImdeOptions imde;  ///< --canonical among its field options
  std::string ref, format;
};

/// Refuses a field that is not in canonical coordinates, naming it.
void require_canonical(ImdeInputs& in, const HamiltonianOptions& o) {
  const std::string dim = std::to_string(in.base.dim());
  // An expression, given or the one a model was trained on, says nothing of its coordinates.
  // A model file of a --canonical training says so itself.
  const bool canonical = o.imde.system.canonical || in.system.canonical;
  const bool expression = !o.imde.system.field.empty() || (!o.imde.model.empty() && in.system.name == "expression");
  if (expression) {
    if (!canonical)
      throw std::invalid_argument(in.source + " is not known to be Hamiltonian: add --canonical if its variables are "
                                              "canonical coordinates y = (p, q)");
    if (in.base.dim() % 2 != 0)
      throw std::invalid_argument(in.source + " has dimension " + dim +
                                  ", which is odd: canonical coordinates y = (p, q) need an even dimension");
    in.system.canonical = true;
    return;
  }
  if (o.imde.system.canonical)
    throw std::invalid_argument("--canonical applies only to --field or a model trained on one, not to " + in.source);
  if (!in.system.canonical) {
    std::string known;
    for (const std::string& n : ode::system_names())
      if (ode::system(n).canonical) known += (known.empty() ? "" : ", ") + n;
    const std::string what = o.imde.model.empty() ? in.source : in.source + " (trained on " + in.system.name + ")";
    throw std::invalid_argument(what + " is not in canonical coordinates y = (p, q) (those that are: " + known + ")");
  }
}

std::string point_text(const std::vector<double>& y) {
  std::string s;
  for (double v : y) s += (s.empty() ? "" : ", ") + round_trip(v);
  return "(" + s + ")";
}

/// The measures of Hamiltonian-ness of f_h^[N] and of f (order 0) over the points.
struct Check {
  bool planar = false;
  double div_fh = 0, div_f = 0, paths_fh = 0, paths_f = 0;
};

Check measure(const imde::InverseModifiedHamiltonian& H, const ode::Field& base, const autodiff::Tensor<double>& x) {
  const imde::SeriesField& fh = H.field();
  const imde::BatchField g = [&fh](const autodiff::Tensor<double>& y) { return fh(y); };
  const imde::BatchField f = imde::batch_field(base);
  Check c;
  c.planar = base.dim() == 2;
  if (c.planar) {
    c.div_fh = imde::mean_abs_divergence(g, x);
    c.div_f = imde::mean_abs_divergence(f, x);
  }
  c.paths_fh = imde::mean_two_path_difference(g, H.y_ref(), x);
  c.paths_f = imde::mean_two_path_difference(f, H.y_ref(), x);
  return c;
}

void run_hamiltonian(const HamiltonianOptions& o) {
  ImdeInputs in = read_imde_inputs(o.imde);
  require_canonical(in, o);
  const std::size_t d = in.base.dim();

  // The reference point and the constant H(y_ref).
  std::vector<double> y_ref;
  std::string ref_source;
  if (!o.ref.empty()) {
    y_ref = ode::parse_doubles(o.ref, "--ref");
    if (y_ref.size() != d)
      throw std::invalid_argument("--ref '" + o.ref + "' has " + std::to_string(y_ref.size()) + " values, expected " +
                                  std::to_string(d));
    ref_source = "--ref";
  } else if (in.system.domain.size() == d) {
    for (const auto& [lo, hi] : in.system.domain) y_ref.push_back((lo + hi) / 2);
    ref_source = "the centre of the domain of " + in.system.name;
  } else {
    y_ref.assign(d, 0.0);
    ref_source = "the origin (the field has no domain)";
  }
  const bool known = static_cast<bool>(in.system.hamiltonian);
  const double h_ref = known ? in.system.hamiltonian(y_ref) : 0.0;

  const imde::InverseModifiedHamiltonian H(in.tableau, in.base, in.h, in.order, y_ref, h_ref);
  const std::vector<double> values = H(in.points);
  const bool symplectic = imde::is_symplectic(in.tableau);
  const Check check = measure(H, in.base, in.points);

  const std::string N = std::to_string(in.order), fh = "f_h^[" + N + "]";
  std::ostringstream measured;
  if (check.planar)
    measured << "mean |div " << fh << "| = " << round_trip(check.div_fh) << " (order 0, the field itself: "
             << round_trip(check.div_f) << "), ";
  measured << "mean two-path difference = " << round_trip(check.paths_fh) << " (order 0: " << round_trip(check.paths_f)
           << ") over " << in.points.shape()[0] << " points";
  std::string statement;
  if (symplectic) {
    statement = in.tableau.name + " is symplectic: " + fh + " = J^-1 grad H_h; measured: " + measured.str();
  } else {
    statement = in.tableau.name + " is not symplectic (b_i a_ij + b_j a_ji - b_i b_j != 0), so its IMDE is not " +
                "Hamiltonian: H_h is the line integral of J " + fh + " along the straight path from y_ref and " +
                "another path gives another value; measured: " + measured.str();
  }
  const std::string ref_line = "y_ref = " + point_text(y_ref) + ", " + ref_source + "; H_h(y_ref) = " +
                               (known ? "H(y_ref) = " : "") + round_trip(h_ref) +
                               (known ? "" : " (the Hamiltonian is not known: the constant is 0)");

  Table table{in.base.names(), {}};
  table.columns.push_back("H_h");
  if (known) table.columns.push_back("H");
  for (std::size_t i = 0; i < in.points.shape()[0]; ++i) {
    std::vector<double> row(in.points.begin() + static_cast<long>(i * d), in.points.begin() + static_cast<long>((i + 1) * d));
    row.push_back(values[i]);
    if (known) row.push_back(in.system.hamiltonian(std::vector<double>(row.begin(), row.begin() + static_cast<long>(d))));
    table.rows.push_back(std::move(row));
  }
  if (o.format == "csv") {
    std::cerr << "# " << ref_line << "\n# " << statement << "\n";
    write_csv(std::cout, table);
    return;
  }
  if (!symplectic) std::cerr << "# " << statement << "\n";
  nlohmann::json j = to_json(table);
  j["field"] = in.base.name();
  j["method"] = in.tableau.name;
  j["h"] = in.h;
  j["order"] = in.order;
  j["y_ref"] = y_ref;
  j["y_ref_source"] = ref_source;
  j["H_ref"] = h_ref;
  j["hamiltonian_known"] = known;
  j["symplectic"] = symplectic;
  nlohmann::json c{{"points", in.points.shape()[0]},
                   {"mean_two_path_difference", check.paths_fh},
                   {"mean_two_path_difference_order_0", check.paths_f}};
  if (check.planar) {
    c["mean_abs_divergence"] = check.div_fh;
    c["mean_abs_divergence_order_0"] = check.div_f;
  }
  j["hamiltonian_check"] = c;
  j["statement"] = statement;
  std::cout << j.dump(2) << "\n";
}

}  // namespace

void add_imde_hamiltonian(CLI::App& imde) {
  auto o = std::make_shared<HamiltonianOptions>();
  CLI::App* cmd =
      imde.add_subcommand("hamiltonian", "The inverse modified Hamiltonian H_h^[N] of a symplectic method at points");
  add_imde_options(cmd, o->imde);
  cmd->add_option("--ref", o->ref, "The reference point y_ref, where H_h = H (default: the centre of the domain)");
  add_choice_option(cmd, "--format", o->format, {"csv", "json"}, "Output format");
  cmd->callback([o] { run_hamiltonian(*o); });
}

}  // namespace nimde::experiments
