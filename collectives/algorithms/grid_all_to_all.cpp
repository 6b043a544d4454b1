#include "collectives/algorithms/grid_all_to_all.hpp"

#include <algorithm>
#include <unordered_map>

#include "base/error.hpp"

namespace lpu::collectives {
namespace {

// A block held by a chip: from grid position src to grid position dst, where
// it sits in the chip's buffer.
struct Held {
    std::size_t src = 0;
    std::size_t dst = 0;
    std::uint64_t offset = 0;
    std::uint64_t count = 0;
};

class Grid {
public:
    Grid(const ParticipantGrid& grid, std::uint64_t count) : grid_(grid), count_(count), n_(grid.at.size()) {
        std::size_t positions = 1;
        for (auto radix : grid.radices) positions *= radix;
        invariant(positions == n_, "the grid's extents cover " + std::to_string(positions) + " positions for " +
                                       std::to_string(n_) + " participants");
        strides_.assign(grid.radices.size(), 1);
        for (std::size_t k = grid.radices.size(); k-- > 1;) strides_[k - 1] = strides_[k] * grid.radices[k];
    }

    std::size_t size() const { return n_; }
    std::size_t dims() const { return grid_.radices.size(); }
    std::size_t radix(std::size_t k) const { return grid_.radices[k]; }
    std::size_t digit(std::size_t position, std::size_t k) const { return position / strides_[k] % grid_.radices[k]; }
    std::size_t with_digit(std::size_t position, std::size_t k, std::size_t value) const {
        return position - digit(position, k) * strides_[k] + value * strides_[k];
    }
    std::size_t participant(std::size_t position) const { return grid_.at[position]; }
    bool identity() const {
        for (std::size_t g = 0; g < n_; ++g) {
            if (grid_.at[g] != g) return false;
        }
        return true;
    }
    // Elements of a block to dst: block_range of the alltoall layout.
    std::uint64_t block_count(std::size_t dst) const { return block_range(count_, n_, participant(dst)).count; }

    // What chip `chip` holds once the first `moved` dimensions are done: for
    // each p, the block whose coordinates k < moved come from its source (p's)
    // and the others from its destination (p's); the chip supplies the rest.
    // Ordered with coordinate `first` most significant, then grid order, and
    // packed from `base`.
    std::vector<Held> stage(std::size_t chip, std::size_t moved, std::size_t first, std::uint64_t base) const {
        std::vector<std::size_t> order(n_);
        for (std::size_t p = 0; p < n_; ++p) order[p] = p;
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return digit(a, first) < digit(b, first); });
        std::vector<Held> held;
        for (std::size_t p : order) {
            std::size_t src = chip, dst = chip;
            for (std::size_t k = 0; k < dims(); ++k) {
                if (k < moved) {
                    src = with_digit(src, k, digit(p, k));
                } else {
                    dst = with_digit(dst, k, digit(p, k));
                }
            }
            held.push_back({src, dst, base, block_count(dst)});
            base += held.back().count;
        }
        return held;
    }

    // The caller's input (block for participant j at block_range j) and output
    // (block from participant i in slot i) as stages.
    std::vector<Held> input(std::size_t chip) const {
        std::vector<Held> held;
        for (std::size_t dst = 0; dst < n_; ++dst) {
            const auto block = block_range(count_, n_, participant(dst));
            held.push_back({chip, dst, block.offset, block.count});
        }
        return held;
    }
    std::vector<Held> output(std::size_t chip) const {
        std::vector<Held> held;
        for (std::size_t src = 0; src < n_; ++src) {
            held.push_back({src, chip, all_to_all_slot(count_, n_, participant(src)).offset, block_count(chip)});
        }
        return held;
    }

private:
    const ParticipantGrid& grid_;
    std::uint64_t count_;
    std::size_t n_;
    std::vector<std::size_t> strides_;
};

// On-chip copies that move every block of `from` to its place in `to` (the
// same blocks in another order), merging blocks adjacent in both.
void relayout(LogicalStep& step, ChipId chip, const std::vector<Held>& from, const std::vector<Held>& to,
              std::size_t n) {
    std::unordered_map<std::size_t, std::uint64_t> target;
    for (const auto& block : to) target[block.src * n + block.dst] = block.offset;
    Transfer* last = nullptr;
    for (const auto& block : from) {
        if (block.count == 0) continue;
        const std::uint64_t dst_offset = target.at(block.src * n + block.dst);
        if (last != nullptr && last->src_offset + last->count == block.offset &&
            last->dst_offset + last->count == dst_offset) {
            last->count += block.count;
            continue;
        }
        last = &step.emplace_back(Transfer{chip, chip, block.offset, dst_offset, block.count, TransferKind::copy, {}});
    }
}

// The contiguous run of `held` whose blocks have coordinate k == value in
// their destination (what a phase sends) or, by_src, their source (what it
// receives).
ElementRange run(const Grid& grid, const std::vector<Held>& held, std::size_t k, std::size_t value, bool by_src) {
    std::uint64_t begin = 0, end = 0;
    bool found = false;
    for (const auto& block : held) {
        if (grid.digit(by_src ? block.src : block.dst, k) != value) continue;
        if (!found) begin = block.offset;
        invariant(!found || block.offset == end, "grid all-to-all: a partner's blocks are not contiguous");
        end = block.offset + block.count;
        found = true;
    }
    return {begin, end - begin};
}

}  // namespace

LogicalPlan grid_all_to_all(const std::vector<ChipId>& members, const ParticipantGrid& participant_grid,
                            std::uint64_t count) {
    const Grid grid(participant_grid, count);
    const std::size_t n = grid.size();
    // Each phase's copies put up to n blocks in order on every chip.
    require_within_limit(n * n * (grid.dims() + 1));
    const std::uint64_t area = n * all_to_all_slot(count, n, 0).count;
    const std::uint64_t area_a = buffer_elements_for(CollectiveOp::all_to_all, count, n), area_b = area_a + area;
    const auto chip = [&](std::size_t position) { return members[grid.participant(position)]; };

    std::vector<std::size_t> phases;
    for (std::size_t k = 0; k < grid.dims(); ++k) {
        if (grid.radix(k) > 1) phases.push_back(k);
    }
    // The participant order is the grid's: the input already is the first phase's layout.
    const std::uint64_t first_base = grid.identity() ? 0 : area_b;
    LogicalPlan plan;
    if (!grid.identity()) {
        LogicalStep& step = plan.emplace_back();
        for (std::size_t c = 0; c < n; ++c) {
            relayout(step, chip(c), grid.input(c), grid.stage(c, 0, phases[0], area_b), n);
        }
    }
    for (std::size_t i = 0; i < phases.size(); ++i) {
        const std::size_t k = phases[i];
        const std::uint64_t from_base = i == 0 ? first_base : area_b;
        std::vector<std::vector<Held>> received(n);
        for (std::size_t c = 0; c < n; ++c) received[c] = grid.stage(c, k + 1, k, area_a);
        LogicalStep& exchange = plan.emplace_back();
        for (std::size_t c = 0; c < n; ++c) {
            const auto sending = grid.stage(c, k, k, from_base);
            for (std::size_t value = 0; value < grid.radix(k); ++value) {
                const std::size_t partner = grid.with_digit(c, k, value);
                const ElementRange out = run(grid, sending, k, value, false);
                const ElementRange in = run(grid, received[partner], k, grid.digit(c, k), true);
                invariant(out.count == in.count, "grid all-to-all: a phase sends and receives different amounts");
                if (out.count > 0) {
                    exchange.push_back(Transfer{chip(c), chip(partner), out.offset, in.offset, out.count,
                                                TransferKind::copy, {}});
                }
            }
        }
        LogicalStep& reorder = plan.emplace_back();
        for (std::size_t c = 0; c < n; ++c) {
            const auto next =
                i + 1 < phases.size() ? grid.stage(c, phases[i + 1], phases[i + 1], area_b) : grid.output(c);
            relayout(reorder, chip(c), received[c], next, n);
        }
    }
    return plan;
}

}  // namespace lpu::collectives
