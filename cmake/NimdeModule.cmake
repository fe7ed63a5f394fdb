# nimde_module(NAME DEPS...): the library nimde_NAME (alias nimde::NAME) from NAME/*.cpp,
# linked publicly to DEPS. Headers sit beside the sources; includes read from the root.
# A module without .cpp files is header-only (an INTERFACE library).
function(nimde_module name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(nimde_${name} ${sources})
    target_include_directories(nimde_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(nimde_${name} PUBLIC nimde_build_options ${ARGN})
  else()
    add_library(nimde_${name} INTERFACE)
    target_include_directories(nimde_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(nimde_${name} INTERFACE nimde_build_options ${ARGN})
  endif()
  add_library(nimde::${name} ALIAS nimde_${name})
endfunction()
