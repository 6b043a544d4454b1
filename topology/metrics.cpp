#include "topology/metrics.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include "topology/routing.hpp"

namespace lpu::topology {
namespace {

std::vector<ChipId> distance_sources(const Topology& topology, const MetricsOptions& options, DistanceMethod& method) {
    const std::size_t n = topology.chip_count();
    std::vector<ChipId> sources;
    if (n <= options.exact_all_sources_limit) {
        method = DistanceMethod::exact_all_sources;
        for (ChipId id = 0; id < n; ++id) sources.push_back(id);
    } else if (!topology.info().representative_chips.empty()) {
        method = DistanceMethod::exact_by_symmetry;
        sources = topology.info().representative_chips;
    } else {
        method = DistanceMethod::sampled;
        const std::size_t count = std::max<std::size_t>(1, std::min(options.sample_sources, n));
        for (std::size_t i = 0; i < count; ++i) sources.push_back(static_cast<ChipId>(i * n / count));
    }
    return sources;
}

// Links with exactly one end inside the half chosen by `inside`.
template <typename Inside>
std::size_t crossing_links(const Topology& topology, Inside inside) {
    std::size_t crossing = 0;
    for (const auto& link : topology.links()) crossing += inside(link.a) != inside(link.b);
    return crossing;
}

std::size_t bisection_estimate(const Topology& topology) {
    const std::size_t n = topology.chip_count();
    if (n < 2) return 0;
    const std::size_t half = n / 2;
    std::size_t best = std::numeric_limits<std::size_t>::max();
    constexpr std::size_t rotations = 8;
    for (std::size_t i = 0; i < rotations; ++i) {
        const std::size_t start = i * n / (2 * rotations);
        best = std::min(best, crossing_links(topology, [&](ChipId id) { return (id + n - start) % n < half; }));
    }
    const auto& extents = topology.info().grid_dims;
    std::size_t stride = n;
    for (auto extent : extents) {
        stride /= extent;
        if (extent < 2) continue;
        best = std::min(best, crossing_links(topology, [&](ChipId id) { return (id / stride) % extent < extent / 2; }));
    }
    // Hierarchies: the lower half of the racks (or nodes) against the rest,
    // kept only when nearly balanced (group sizes may differ in a file).
    auto group_halving = [&](auto group_of) {
        std::uint32_t groups = 0;
        for (const auto& chip : topology.chips()) groups = std::max(groups, group_of(chip) + 1);
        if (groups < 2) return;
        auto inside = [&](ChipId id) { return group_of(topology.chip(id)) < groups / 2; };
        std::size_t inside_chips = 0;
        for (ChipId id = 0; id < n; ++id) inside_chips += inside(id);
        const std::size_t imbalance = inside_chips * 2 > n ? inside_chips * 2 - n : n - inside_chips * 2;
        if (imbalance <= n / 8) best = std::min(best, crossing_links(topology, inside));  // near-balanced only
    };
    if (topology.has_racks()) group_halving([](const Chip& chip) { return *chip.rack; });
    if (topology.has_nodes()) group_halving([](const Chip& chip) { return *chip.node; });
    return best;
}

}  // namespace

const char* to_string(DistanceMethod method) {
    switch (method) {
        case DistanceMethod::exact_all_sources: return "exact (BFS from every chip)";
        case DistanceMethod::exact_by_symmetry: return "exact (BFS from symmetry representatives)";
        case DistanceMethod::sampled: return "sampled (BFS from evenly spaced chips; diameter is a lower bound)";
    }
    return "unknown";
}

TopologyMetrics compute_metrics(const Topology& topology, const MetricsOptions& options) {
    TopologyMetrics metrics;
    metrics.chips = topology.chip_count();
    metrics.links = topology.link_count();
    metrics.ports_used = topology.ports_used();
    metrics.ports_total = topology.ports_total();
    metrics.bisection_links = bisection_estimate(topology);

    const auto sources = distance_sources(topology, options, metrics.distance_method);
    metrics.bfs_sources = sources.size();
    std::uint64_t total_hops = 0;  // integer sum: the average is bitwise reproducible
    for (ChipId source : sources) {
        for (auto hops : hop_distances(topology, source)) {
            metrics.diameter_hops = std::max(metrics.diameter_hops, hops);
            total_hops += hops;
        }
    }
    const std::size_t pairs = sources.size() * (metrics.chips - 1);
    metrics.avg_hops = pairs ? static_cast<double>(total_hops) / static_cast<double>(pairs) : 0.0;
    return metrics;
}

}  // namespace lpu::topology
