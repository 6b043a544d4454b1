#include "collectives/algorithms/registry.hpp"

#include "base/error.hpp"
#include "collectives/algorithms/direct.hpp"
#include "collectives/algorithms/halving_doubling.hpp"
#include "collectives/algorithms/hierarchical.hpp"
#include "collectives/algorithms/node_ports.hpp"
#include "collectives/algorithms/one_shot.hpp"
#include "collectives/algorithms/ring.hpp"
#include "collectives/algorithms/torus.hpp"

namespace lpu::collectives {
namespace {

std::vector<std::unique_ptr<Algorithm>> make_algorithms() {
    std::vector<std::unique_ptr<Algorithm>> algorithms;
    algorithms.push_back(std::make_unique<RingAlgorithm>());
    algorithms.push_back(std::make_unique<DirectAlgorithm>());
    algorithms.push_back(std::make_unique<HalvingDoublingAlgorithm>());
    algorithms.push_back(std::make_unique<TorusAlgorithm>());
    algorithms.push_back(std::make_unique<HierarchicalAlgorithm>());
    algorithms.push_back(std::make_unique<OneShotAlgorithm>());
    algorithms.push_back(std::make_unique<NodePortsAlgorithm>());
    return algorithms;
}

}  // namespace

const std::vector<std::unique_ptr<Algorithm>>& all_algorithms() {
    static const auto algorithms = make_algorithms();
    return algorithms;
}

const Algorithm& find_algorithm(const std::string& name) {
    std::string known;
    for (const auto& algorithm : all_algorithms()) {
        if (algorithm->name() == name) return *algorithm;
        known += (known.empty() ? "" : ", ") + algorithm->name();
    }
    throw Error("unknown collective algorithm '" + name + "' (known: " + known + ")");
}

}  // namespace lpu::collectives
