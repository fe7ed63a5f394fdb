// Network benchmarks on the paper's fields d → 128 → 128 → d (tanh) and data: forward and
// backward through S unrolled steps of a method (mlp_field_fwd_bwd, pendulum, 10,000 points),
// whole Adam iterations (train_step/<system>/<method>/S<S>/<dtype>/omp<threads>; a Hamiltonian
// network d → 128 → 128 → 1 as train_step/<system>-hnn/...), the two ways of backpropagating
// through the steps, with the memory each holds (backprop/...), and, when NIMDE_BENCH_SCALING
// names them, Adam iterations at any size (scaling/..., bench/scaling.hpp).
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>

#include "autodiff/parallel.hpp"
#include "bench/scaling.hpp"
#include "nn/dataset.hpp"
#include "nn/mlp.hpp"
#include "nn/objective.hpp"
#include "nn/optimizer.hpp"
#include "ode/systems.hpp"

namespace {

using namespace nimde;

constexpr std::size_t kPoints = 10000;

/// FLOPs of one field evaluation of the paper's width-128 network (bench/scaling.hpp).
double field_flops(std::size_t n = kPoints, std::size_t d = 2, nn::ModelKind kind = nn::ModelKind::node) {
  return bench::field_flops(n, d, 128, kind);
}

void bm_mlp_field(benchmark::State& state, const std::string& method, int steps, int evaluations_per_step) {
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 128, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 0));
  const nn::Dataset data = nn::make_dataset(ode::system("pendulum"), kPoints, 0.04, 1);
  auto objective = nn::make_objective(nn::MlpField(params), ode::method(method), steps, 0.04, data.x, data.y, "f32");
  std::vector<autodiff::Tensor<double>> grad;
  objective->loss_and_grad(grad);  // size the tape's buffers outside the timing
  for (auto _ : state) benchmark::DoNotOptimize(objective->loss_and_grad(grad));
  state.counters["GFLOP/s"] = benchmark::Counter(field_flops() * steps * evaluations_per_step * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = autodiff::num_threads();
}

/// One full Adam iteration on a system's paper data (make_dataset: 10,000 uniform points, or
/// Lorenz's 250 trajectory pairs): forward through S steps, backward, update.
void bm_train_step(benchmark::State& state, const std::string& system, const std::string& method, int steps,
                   const std::string& dtype, int threads, nn::ModelKind kind) {
  const autodiff::ThreadScope scope(threads);
  const ode::System& sys = ode::system(system);
  const nn::DataSetup setup = nn::data_setup(sys);
  const nn::Dataset data = nn::make_dataset(sys, setup.train_points, setup.T, 1);
  const std::size_t d = data.dim();
  auto params =
      std::make_shared<nn::MlpParams>(nn::make_mlp(d, 128, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 0, kind));
  auto objective = nn::make_objective(nn::MlpField(params), ode::method(method), steps, setup.T, data.x, data.y, dtype);
  std::vector<autodiff::Tensor<double>*> plist;
  for (std::size_t l = 0; l < params->layers(); ++l) {
    plist.push_back(&params->weights[l]);
    plist.push_back(&params->biases[l]);
  }
  nn::Adam adam(plist, nn::make_schedule(nn::Schedule::Kind::geometric, 0.01, 1000000, 1000));
  std::vector<autodiff::Tensor<double>> grad;
  // Steady state, as in training: the first iteration sizes the tape's buffers (page faults).
  objective->loss_and_grad(grad);
  for (auto _ : state) {
    benchmark::DoNotOptimize(objective->loss_and_grad(grad));
    adam.step(grad);
  }
  // Implicit midpoint evaluates f once, then iterates its stage taped_iterations (8) times.
  const int evaluations = method == "rk4" ? 4 : method == "midpoint" ? 2 : method == "implicit-midpoint" ? 9 : 1;
  state.counters["GFLOP/s"] = benchmark::Counter(field_flops(data.size(), d, kind) * steps * evaluations * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["points"] = double(data.size());
  state.counters["tape_MB"] = double(objective->memory_bytes()) / 1e6;
}

/// Forward and backward through S unrolled euler steps of the paper's pendulum network, taped
/// or recomputed: time and the bytes the objective holds (its tape and saved states).
void bm_backprop(benchmark::State& state, nn::Backprop backprop, int steps, std::size_t points) {
  const autodiff::ThreadScope scope(1);
  auto params = std::make_shared<nn::MlpParams>(nn::make_mlp(2, 128, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 0));
  const nn::Dataset data = nn::make_dataset(ode::system("pendulum"), points, 0.04, 1);
  auto objective =
      nn::make_objective(nn::MlpField(params), ode::method("euler"), steps, 0.04, data.x, data.y, "f32", backprop);
  std::vector<autodiff::Tensor<double>> grad;
  objective->loss_and_grad(grad);
  for (auto _ : state) benchmark::DoNotOptimize(objective->loss_and_grad(grad));
  state.counters["MB_held"] = double(objective->memory_bytes()) / 1e6;
  state.counters["KB_per_point_step"] = double(objective->memory_bytes()) / 1e3 / double(points * steps);
}

/// One Adam iteration of pendulum euler f32 on 2 → w → w → 2 tanh at a scaling case's size.
/// Inputs and targets are uniform random states of the pendulum's domain: the paper's targets
/// (sv6, 10 substeps: reference_flow/sv6/pendulum/10000 takes 71 ms) would take some 7 s at 10⁶
/// points in every process, several times the iteration timed, and the kernels are branch-free,
/// so the time does not depend on the values.
struct ScalingRun {
  std::shared_ptr<nn::MlpParams> params;
  std::unique_ptr<nn::Objective> objective;
  std::unique_ptr<nn::Adam> adam;
  std::vector<autodiff::Tensor<double>> grad;

  explicit ScalingRun(const bench::ScalingCase& c) {
    const ode::System& sys = ode::system("pendulum");
    const std::size_t d = sys.dim();
    std::mt19937_64 rng(1);
    autodiff::Tensor<double> x = autodiff::zeros<double>(c.points, d), y = autodiff::zeros<double>(c.points, d);
    for (autodiff::Tensor<double>* t : {&x, &y})
      for (std::size_t i = 0; i < c.points; ++i)
        for (std::size_t k = 0; k < d; ++k)
          (*t)(i, k) = std::uniform_real_distribution<double>(sys.domain[k].first, sys.domain[k].second)(rng);
    params = std::make_shared<nn::MlpParams>(
        nn::make_mlp(d, c.width, 2, autodiff::Activation::tanh, nn::Init::orthogonal, 0));
    objective = nn::make_objective(nn::MlpField(params), ode::method("euler"), c.steps, nn::data_setup(sys).T, x, y,
                                   "f32", c.backprop);
    std::vector<autodiff::Tensor<double>*> plist;
    for (std::size_t l = 0; l < params->layers(); ++l) {
      plist.push_back(&params->weights[l]);
      plist.push_back(&params->biases[l]);
    }
    adam = std::make_unique<nn::Adam>(plist, nn::make_schedule(nn::Schedule::Kind::geometric, 0.01, 1000000, 1000));
    objective->loss_and_grad(grad);  // sizes the tape's buffers outside the timing, as in training
  }
};

void bm_scaling(benchmark::State& state, const bench::ScalingCase& c) {
  const autodiff::ThreadScope scope(c.threads);
  // Google Benchmark calls this once per round of its iteration-count search; the set-up and
  // the buffer-sizing iteration (seconds at 10⁶ points) are done once per case and process.
  static std::string built;
  static std::unique_ptr<ScalingRun> run;
  if (built != c.name()) {
    run.reset();  // free the previous case's memory first
    run = std::make_unique<ScalingRun>(c);
    built = c.name();
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(run->objective->loss_and_grad(run->grad));
    run->adam->step(run->grad);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(bench::field_flops(c.points, 2, c.width) * c.steps * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB_held"] = double(run->objective->memory_bytes()) / 1e6;
}

/// The scaling benchmarks NIMDE_BENCH_SCALING names; a bad name stops the program in one line.
void register_scaling() {
  const char* list = std::getenv(bench::kScalingVariable);
  if (list == nullptr || *list == '\0') return;
  std::vector<bench::ScalingCase> cases;
  try {
    cases = bench::parse_scaling_list(list);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "nimde-bench: %s\n", e.what());
    std::exit(2);
  }
  for (const bench::ScalingCase& c : cases)
    benchmark::RegisterBenchmark(c.name().c_str(), [c](benchmark::State& s) { bm_scaling(s, c); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
}

void register_train_step(const std::string& system, const std::string& method, int steps, const std::string& dtype,
                         int threads, nn::ModelKind kind = nn::ModelKind::node) {
  const std::string name = "train_step/" + system + (kind == nn::ModelKind::hnn ? "-hnn/" : "/") + method + "/S" +
                           std::to_string(steps) + "/" + dtype + "/omp" + std::to_string(threads);
  benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) {
    bm_train_step(s, system, method, steps, dtype, threads, kind);
  })->UseRealTime()->Unit(benchmark::kMillisecond);
}

const int kRegistered = [] {
  struct Case {
    const char* method;
    int steps, stages;
  };
  for (Case c : {Case{"euler", 2, 1}, Case{"midpoint", 1, 2}, Case{"rk4", 1, 4}}) {
    const std::string name = std::string("mlp_field_fwd_bwd/") + c.method + "/S" + std::to_string(c.steps) + "/f32";
    benchmark::RegisterBenchmark(name.c_str(), [c](benchmark::State& s) { bm_mlp_field(s, c.method, c.steps, c.stages); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  for (Case c : {Case{"euler", 2, 1}, Case{"midpoint", 1, 2}, Case{"rk4", 1, 4}})
    for (const char* dtype : {"f32", "f64"})
      for (int t : {1, 2})
        register_train_step("pendulum", c.method, c.steps, dtype, t);
  // The paper's other two systems, Euler and midpoint as in its figures, f32.
  for (const char* system : {"cubic-oscillator", "lorenz"})
    for (Case c : {Case{"euler", 1, 1}, Case{"midpoint", 1, 2}})
      for (int t : {1, 2}) register_train_step(system, c.method, c.steps, "f32", t);
  // Hamiltonian networks: the field J⁻¹∇H_θ is a recorded gradient, the loss's gradient a
  // gradient of it; implicit midpoint iterates its stage on the tape.
  for (const char* method : {"euler", "implicit-midpoint"})
    for (int t : {1, 2}) register_train_step("pendulum", method, 1, "f32", t, nn::ModelKind::hnn);
  for (const int steps : {2, 16})
    for (const nn::Backprop b : {nn::Backprop::taped, nn::Backprop::recompute}) {
      const std::string name = std::string("backprop/") + std::string(nn::name_of(nn::kBackpropNames, b)) +
                               "/pendulum/euler/S" + std::to_string(steps) + "/f32/omp1";
      benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { bm_backprop(s, b, steps, kPoints); })
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  register_scaling();
  return 0;
}();

}  // namespace
