#include "collectives/schedule_builder.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>
#include <utility>

#include "base/error.hpp"
#include "topology/routing.hpp"

namespace lpu::collectives {

void append(LogicalPlan& plan, const LogicalPlan& part) { plan.insert(plan.end(), part.begin(), part.end()); }

LogicalPlan run_in_parallel(const std::vector<LogicalPlan>& parts) {
    LogicalPlan merged;
    for (const auto& part : parts) {
        if (merged.size() < part.size()) merged.resize(part.size());
        for (std::size_t s = 0; s < part.size(); ++s) {
            merged[s].insert(merged[s].end(), part[s].begin(), part[s].end());
        }
    }
    return merged;
}

void require_within_limit(std::size_t transfers) {
    require(transfers <= max_schedule_transfers, [&] {
        return "the schedule would need " + std::to_string(transfers) + " transfers, more than the limit of " +
               std::to_string(max_schedule_transfers);
    });
}

namespace {

Transfer transfer(ChipId src, ChipId dst, const ElementRange& range, TransferKind kind) {
    return Transfer{src, dst, range.offset, range.offset, range.count, kind, {}};
}

// Appends a transfer of `range` unless it is empty (when count < members).
void add(LogicalStep& step, ChipId src, ChipId dst, const ElementRange& range, TransferKind kind) {
    if (range.count > 0) step.push_back(transfer(src, dst, range, kind));
}

LogicalPlan ring_phase(const std::vector<ChipId>& members, const ElementRange& range, TransferKind kind,
                       std::size_t block_shift) {
    const std::size_t n = members.size();
    require_within_limit(n * (n - 1));
    LogicalPlan plan(n - 1);
    for (std::size_t s = 0; s + 1 < n; ++s) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t block = (i + 2 * n - s - block_shift) % n;
            add(plan[s], members[i], members[(i + 1) % n], sub_block(range, n, block), kind);
        }
    }
    return plan;
}

}  // namespace

LogicalPlan ring_reduce_scatter(const std::vector<ChipId>& members, const ElementRange& range) {
    return ring_phase(members, range, TransferKind::reduce, 1);
}

LogicalPlan ring_all_gather(const std::vector<ChipId>& members, const ElementRange& range) {
    return ring_phase(members, range, TransferKind::copy, 0);
}

LogicalPlan direct_reduce_scatter(const std::vector<ChipId>& members, const ElementRange& range) {
    require_within_limit(members.size() * (members.size() - 1));
    LogicalPlan plan(1);
    for (std::size_t k = 0; k < members.size(); ++k) {
        for (std::size_t j = 0; j < members.size(); ++j) {
            if (j != k) add(plan[0], members[j], members[k], sub_block(range, members.size(), k), TransferKind::reduce);
        }
    }
    return plan;
}

LogicalPlan direct_all_gather(const std::vector<ChipId>& members, const ElementRange& range) {
    require_within_limit(members.size() * (members.size() - 1));
    LogicalPlan plan(1);
    for (std::size_t k = 0; k < members.size(); ++k) {
        for (std::size_t j = 0; j < members.size(); ++j) {
            if (j != k) add(plan[0], members[k], members[j], sub_block(range, members.size(), k), TransferKind::copy);
        }
    }
    return plan;
}

LogicalPlan one_shot_all_reduce(const std::vector<ChipId>& members, const ElementRange& range) {
    require_within_limit(members.size() * (members.size() - 1));
    LogicalPlan plan(1);
    for (std::size_t k = 0; k < members.size(); ++k) {
        for (std::size_t j = 0; j < members.size(); ++j) {
            if (j != k) add(plan[0], members[j], members[k], range, TransferKind::tree_reduce);
        }
    }
    return plan;
}

namespace {

// Minimal routes per chip pair, computed once.
class RouteCache {
public:
    explicit RouteCache(const topology::Topology& topology) : topology_(topology) {}
    const std::vector<topology::Route>& routes(ChipId src, ChipId dst) {
        auto [it, inserted] = cache_.try_emplace({src, dst});
        if (inserted) it->second = topology::minimal_routes(topology_, src, dst, routes_per_pair);
        return it->second;
    }

private:
    // Enough alternatives to dodge the usual collisions of a step without
    // paying for the full enumeration on large topologies.
    static constexpr std::size_t routes_per_pair = 4;
    const topology::Topology& topology_;
    std::map<std::pair<ChipId, ChipId>, std::vector<topology::Route>> cache_;
};

struct StepUnderConstruction {
    std::unordered_set<ChannelId> busy;
    Step step;
};

bool route_free(const StepUnderConstruction& step, const topology::Route& route) {
    return std::none_of(route.channels.begin(), route.channels.end(),
                        [&](ChannelId channel) { return step.busy.contains(channel); });
}

}  // namespace

std::vector<Step> route_plan(const topology::Topology& topology, const LogicalPlan& plan) {
    std::size_t total = 0;
    for (const auto& logical : plan) total += logical.size();
    require_within_limit(total);
    RouteCache cache(topology);
    std::vector<Step> steps;
    for (const auto& logical : plan) {
        std::vector<StepUnderConstruction> split;
        std::map<ChipId, std::size_t> earliest_for_dst;
        for (const auto& wanted : logical) {
            const auto& routes = cache.routes(wanted.src, wanted.dst);
            std::size_t index = earliest_for_dst[wanted.dst];
            const topology::Route* chosen = nullptr;
            for (; chosen == nullptr; ++index) {
                if (index == split.size()) split.emplace_back();
                for (const auto& route : routes) {
                    if (route_free(split[index], route)) {
                        chosen = &route;
                        break;
                    }
                }
            }
            --index;
            Transfer routed = wanted;
            routed.route = chosen->channels;
            split[index].busy.insert(routed.route.begin(), routed.route.end());
            split[index].step.transfers.push_back(std::move(routed));
            earliest_for_dst[wanted.dst] = index;
        }
        for (auto& part : split) {
            if (!part.step.transfers.empty()) steps.push_back(std::move(part.step));
        }
    }
    return steps;
}

}  // namespace lpu::collectives
