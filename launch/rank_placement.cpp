#include "launch/rank_placement.hpp"

#include <algorithm>
#include <numeric>

#include "base/error.hpp"

namespace lpu::launch {

RankOfChip place_chips_on_ranks(const plan::Plan& plan, const std::vector<int>& rank_hosts) {
    const auto chips = static_cast<int>(plan.chips.size());
    const auto ranks = static_cast<int>(rank_hosts.size());
    require(ranks >= 1 && ranks <= chips, "the plan has " + std::to_string(chips) + " chips for " +
                                              std::to_string(ranks) + " ranks: every rank needs at least one chip");
    // Ranks in host order (stable: by rank within a host).
    std::vector<int> order(static_cast<std::size_t>(ranks));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return rank_hosts[static_cast<std::size_t>(a)] < rank_hosts[static_cast<std::size_t>(b)];
    });
    const int tp = static_cast<int>(plan.grid.tp);
    const int groups = chips / tp;
    RankOfChip placement{std::vector<int>(static_cast<std::size_t>(chips))};
    for (int block = 0; block < ranks; ++block) {
        // Block `block` covers [cut(block), cut(block + 1)).
        const auto cut = [&](int b) {
            if (groups >= ranks) return groups * b / ranks * tp;  // whole TP groups
            return chips * b / ranks;
        };
        for (int c = cut(block); c < cut(block + 1); ++c) {
            placement.rank[static_cast<std::size_t>(c)] = order[static_cast<std::size_t>(block)];
        }
    }
    return placement;
}

ChipLayout chip_layout(const plan::Plan& plan, const RankOfChip& placement) {
    topology::ChipId max_chip = 0;
    for (const auto& program : plan.chips) max_chip = std::max(max_chip, program.chip);
    ChipLayout layout{std::vector<int>(max_chip + 1, -1), 0};
    for (std::size_t c = 0; c < plan.chips.size(); ++c) {
        layout.rank_of_chip[plan.chips[c].chip] = placement.rank[c];
        const auto& role = plan.chips[c].role;
        if (role.tp_rank == 0 && role.pp_stage + 1 == plan.grid.pp) layout.head_rank = placement.rank[c];
    }
    return layout;
}

std::vector<int> fabric_rank_of_chip(const ChipLayout& layout, std::size_t chips) {
    std::vector<int> rank(std::max(chips, layout.rank_of_chip.size()), 0);
    for (std::size_t chip = 0; chip < layout.rank_of_chip.size(); ++chip)
        rank[chip] = std::max(0, layout.rank_of_chip[chip]);
    return rank;
}

std::vector<bool> chips_of_rank(const RankOfChip& placement, int rank) {
    std::vector<bool> local(placement.rank.size());
    for (std::size_t c = 0; c < local.size(); ++c) local[c] = placement.rank[c] == rank;
    return local;
}

std::string describe_placement(const plan::Plan& plan, const RankOfChip& placement,
                               const std::vector<int>& rank_hosts, const std::vector<std::string>& host_names) {
    std::string text;
    for (std::size_t r = 0; r < rank_hosts.size(); ++r) {
        const int host = rank_hosts[r];
        // Appended piece by piece: GCC 12 warns wrongly (-Wrestrict) on a
        // one-character literal concatenated with a string.
        text.append("rank ").append(std::to_string(r)).append(" (host ").append(std::to_string(host));
        text.append(" '").append(host_names[static_cast<std::size_t>(host)]).append("'): chips");
        for (std::size_t c = 0; c < plan.chips.size(); ++c) {
            if (placement.rank[c] != static_cast<int>(r)) continue;
            const auto& role = plan.chips[c].role;
            text.append(" ").append(std::to_string(plan.chips[c].chip)).append(" (stage ");
            text.append(std::to_string(role.pp_stage)).append(", tp ").append(std::to_string(role.tp_rank)).append(")");
        }
        text += "\n";
    }
    return text;
}

}  // namespace lpu::launch
