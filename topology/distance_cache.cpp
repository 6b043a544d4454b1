#include "topology/distance_cache.hpp"

namespace lpu::topology {

DistanceCache& DistanceCache::operator=(const DistanceCache& other) {
    if (this == &other) return *this;
    const std::lock_guard lock(mutex_);
    budget_bytes_ = other.budget_bytes_;
    maps_.clear();
    bytes_ = 0;
    return *this;
}

std::shared_ptr<const DistanceMap> DistanceCache::get(std::uint32_t chip, const std::function<DistanceMap()>& compute) {
    {
        const std::lock_guard lock(mutex_);
        if (const auto found = maps_.find(chip); found != maps_.end()) return found->second;
    }
    // Computed outside the lock: two threads may both compute one map, which
    // costs time but never correctness (the maps are equal).
    auto map = std::make_shared<const DistanceMap>(compute());
    const std::size_t bytes = map->size() * sizeof(std::uint32_t);
    const std::lock_guard lock(mutex_);
    if (bytes_ + bytes > budget_bytes_) {
        maps_.clear();
        bytes_ = 0;
    }
    if (maps_.emplace(chip, map).second) bytes_ += bytes;
    return map;
}

}  // namespace lpu::topology
