#pragma once
// Every algorithm the library offers, in a fixed order (selection breaks
// ties by it).
#include <memory>
#include <string>
#include <vector>

#include "collectives/algorithm.hpp"

namespace lpu::collectives {

const std::vector<std::unique_ptr<Algorithm>>& all_algorithms();
// Throws lpu::Error naming the unknown algorithm and the known ones.
const Algorithm& find_algorithm(const std::string& name);

}  // namespace lpu::collectives
