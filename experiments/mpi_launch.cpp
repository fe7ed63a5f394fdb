// What every build knows of MPI: whether a launcher started this process. A build without MPI
// refuses an MPI launch instead of letting N serial copies race for one directory.
#include <cstdlib>
#include <stdexcept>

#include "experiments/mpi_reproduce.hpp"

namespace nimde::experiments {

bool launched_by_mpi() {
  // Open MPI's mpirun, PMIx launchers (srun --mpi=pmix, prterun), and PMI-1/2 (MPICH's hydra, srun --mpi=pmi2).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name)) return true;
  return false;
}

#ifndef NIMDE_MPI
bool built_with_mpi() { return false; }

ReproduceResult reproduce_mpi(const ReproduceOptions&, ReproduceProgress&, const std::atomic<bool>*) {
  throw std::runtime_error("this nimde was built without MPI (NIMDE_MPI=OFF); install libopenmpi-dev and rebuild, "
                           "or run it without mpirun");
}
#endif

}  // namespace nimde::experiments
