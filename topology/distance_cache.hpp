#pragma once
// Hop-distance maps kept for reuse. Routing needs, for a (source, destination)
// pair, every chip's distance to the destination: one BFS over the whole
// topology. A compile asks for the routes of hundreds of thousands of pairs
// on a 10,440-chip system, but they share a few thousand destinations, so the
// maps are worth keeping. Memory is bounded: when the budget is reached the
// cache starts over (maps handed out stay valid; they are shared).
//
// Thread-safe. A copied or assigned-to Topology starts with an empty cache.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace lpu::topology {

using DistanceMap = std::vector<std::uint32_t>;

class DistanceCache {
public:
    static constexpr std::size_t default_budget_bytes = std::size_t{256} << 20;

    explicit DistanceCache(std::size_t budget_bytes = default_budget_bytes) : budget_bytes_(budget_bytes) {}
    DistanceCache(const DistanceCache& other) : DistanceCache(other.budget_bytes_) {}
    DistanceCache& operator=(const DistanceCache& other);

    // The map for `chip`, computing it with `compute` on a miss.
    std::shared_ptr<const DistanceMap> get(std::uint32_t chip, const std::function<DistanceMap()>& compute);

private:
    std::size_t budget_bytes_;
    std::mutex mutex_;
    std::unordered_map<std::uint32_t, std::shared_ptr<const DistanceMap>> maps_;
    std::size_t bytes_ = 0;
};

}  // namespace lpu::topology
