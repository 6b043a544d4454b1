#include "collectives/executor.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "base/error.hpp"

namespace lpu::collectives {
namespace {

// dst = dst + src; integers wrap (computed unsigned: signed overflow is undefined).
template <class T>
void add_into(T* __restrict dst, const T* __restrict src, std::size_t count) {
    if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        for (std::size_t i = 0; i < count; ++i) {
            dst[i] = static_cast<T>(static_cast<U>(static_cast<U>(dst[i]) + static_cast<U>(src[i])));
        }
    } else {
        for (std::size_t i = 0; i < count; ++i) dst[i] = dst[i] + src[i];
    }
}

// dst = ((dst + sources[0]) + sources[1]) + ... element by element — the
// result of applying the reductions one after the other, in one pass: each
// chunk of dst stays in L1 while every source is added to it, instead of
// streaming the whole of dst through the cache once per source.
template <class T>
void fold_into(T* dst, std::span<const T* const> sources, std::size_t count) {
    constexpr std::size_t chunk = 512;  // elements: 2-4 KiB of dst, well inside L1
    for (std::size_t begin = 0; begin < count; begin += chunk) {
        const std::size_t length = std::min(chunk, count - begin);
        for (const T* source : sources) add_into(dst + begin, source + begin, length);
    }
}

// dst = the balanced tree over `terms` (participant order) of schedule.hpp's
// tree reduction, chunk by chunk (dst may be one of the terms: each chunk of
// every term is read before that chunk of dst is written).
template <class T>
void tree_fold_into(T* dst, std::span<const T* const> terms, std::size_t count) {
    constexpr std::size_t chunk = 512;
    const std::size_t p = std::bit_floor(terms.size());
    std::vector<T> leaves(p * chunk);
    for (std::size_t begin = 0; begin < count; begin += chunk) {
        const std::size_t length = std::min(chunk, count - begin);
        for (std::size_t j = 0; j < p; ++j) {
            T* leaf = leaves.data() + j * chunk;
            std::memcpy(leaf, terms[j] + begin, length * sizeof(T));
            if (p + j < terms.size()) add_into(leaf, terms[p + j] + begin, length);
        }
        for (std::size_t distance = p / 2; distance >= 1; distance /= 2) {
            for (std::size_t j = 0; j < distance; ++j) {
                add_into(leaves.data() + j * chunk, leaves.data() + (j + distance) * chunk, length);
            }
        }
        std::memcpy(dst + begin, leaves.data(), length * sizeof(T));
    }
}

template <class T>
const T* as_elements(std::span<const std::byte> bytes) {
    invariant(reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(T) == 0,
              "transport delivered a misaligned message");
    return reinterpret_cast<const T*>(bytes.data());
}

template <class T>
class Run {
public:
    Run(const Schedule& schedule, const std::vector<std::span<T>>& buffers, Transport& transport,
        const ExecuteOptions& options)
        : schedule_(schedule), buffers_(buffers), transport_(transport), local_(schedule.participants.size(), false) {
        invariant(sizeof(T) == schedule.element_bytes,
                  "the schedule is for " + std::to_string(schedule.element_bytes) + "-byte elements, the buffers hold " +
                      std::to_string(sizeof(T)) + "-byte elements");
        invariant(buffers.size() == schedule.participants.size(),
                  "the schedule has " + std::to_string(schedule.participants.size()) + " participants but " +
                      std::to_string(buffers.size()) + " buffers were given");
        for (std::size_t i = 0; i < schedule.participants.size(); ++i) index_of_[schedule.participants[i]] = i;
        for (const auto& step : schedule.steps) {
            steps_with_trees_.push_back(std::any_of(step.transfers.begin(), step.transfers.end(), [](const Transfer& t) {
                return t.kind == TransferKind::tree_reduce;
            }));
        }
        for (ChipId chip : options.local_chips) local_[schedule.participant_index(chip)] = true;
        if (options.local_chips.empty()) std::fill(local_.begin(), local_.end(), true);
        for (std::size_t i = 0; i < buffers.size(); ++i) {
            invariant(!local_[i] || buffers[i].size() == schedule.buffer_elements,
                      "buffer of participant " + std::to_string(i) + " has " + std::to_string(buffers[i].size()) +
                          " elements, the schedule needs " + std::to_string(schedule.buffer_elements));
        }
        const std::uint64_t elements = std::max<std::uint64_t>(schedule.buffer_elements, 1);
        tile_elements_ = elements;
        if (schedule.offset_preserving()) {
            const std::uint64_t max_tiles = std::uint64_t{1} << 24;
            tile_elements_ = std::max<std::uint64_t>(options.tile_bytes / sizeof(T), 1);
            tile_elements_ = std::max(tile_elements_, (elements + max_tiles - 1) / max_tiles);
        }
        tiles_ = (elements + tile_elements_ - 1) / tile_elements_;
    }

    void run(unsigned threads) {
        const unsigned workers = static_cast<unsigned>(std::clamp<std::uint64_t>(threads, 1, tiles_));
        if (workers == 1) {
            for (std::uint64_t tile = 0; tile < tiles_; ++tile) run_tile(tile);
            return;
        }
        std::vector<std::thread> pool;
        for (unsigned w = 0; w < workers; ++w) pool.emplace_back([this] { work(); });
        for (auto& thread : pool) thread.join();
        if (failure_) std::rethrow_exception(failure_);
    }

private:
    void work() {
        try {
            for (std::uint64_t tile = next_tile_++; tile < tiles_ && !failed_; tile = next_tile_++) run_tile(tile);
        } catch (...) {
            std::lock_guard lock(failure_mutex_);
            if (!failure_) {
                failure_ = std::current_exception();
                failed_ = true;
                try {
                    std::rethrow_exception(failure_);
                } catch (const std::exception& e) {
                    transport_.abort(e.what());
                }
            }
        }
    }

    // The part of `transfer` inside the tile, as (first element offset delta, count).
    bool clip(const Transfer& transfer, std::uint64_t tile, std::uint64_t& skip, std::uint64_t& count) const {
        if (tiles_ == 1) {
            skip = 0;
            count = transfer.count;
            return true;
        }
        const std::uint64_t begin = std::max(transfer.src_offset, tile * tile_elements_);
        const std::uint64_t end = std::min(transfer.src_offset + transfer.count, (tile + 1) * tile_elements_);
        if (begin >= end) return false;
        skip = begin - transfer.src_offset;
        count = end - begin;
        return true;
    }

    void run_tile(std::uint64_t tile) {
        for (std::size_t s = 0; s < schedule_.steps.size(); ++s) {
            post_sends(tile, s);
            apply_receives(tile, s);
        }
    }

    void post_sends(std::uint64_t tile, std::size_t step) {
        std::uint64_t skip = 0, count = 0;
        const auto& transfers = schedule_.steps[step].transfers;
        for (std::size_t i = 0; i < transfers.size(); ++i) {
            const auto& t = transfers[i];
            const std::size_t src = index_of_.at(t.src);
            if (t.src == t.dst || !local_[src] || !clip(t, tile, skip, count)) continue;
            const T* data = buffers_[src].data() + t.src_offset + skip;
            const auto bytes = std::as_bytes(std::span<const T>(data, static_cast<std::size_t>(count)));
            // A tree fold may overwrite what its step sends (schedule.hpp), so
            // those sends hand the transport a copy.
            if (steps_with_trees_[step]) {
                transport_.send_copy(t.src, t.dst, make_tag(tile, step, i), bytes);
            } else {
                transport_.send(t.src, t.dst, make_tag(tile, step, i), bytes);
            }
        }
        transport_.flush();  // the step's sends to one process leave together
    }

    // The part of a transfer inside a tile that this process applies.
    struct Incoming {
        const Transfer* transfer = nullptr;
        Tag tag = 0;
        T* target = nullptr;
        const T* on_chip_source = nullptr;  // set when src == dst: no message
        std::size_t count = 0;
    };

    bool incoming(std::uint64_t tile, std::size_t step, std::size_t index, Incoming& piece) const {
        const auto& t = schedule_.steps[step].transfers[index];
        const std::size_t dst = index_of_.at(t.dst);
        std::uint64_t skip = 0, count = 0;
        if (!local_[dst] || !clip(t, tile, skip, count)) return false;
        T* buffer = buffers_[dst].data();
        piece = Incoming{&t, make_tag(tile, step, index), buffer + t.dst_offset + skip,
                         t.src == t.dst ? buffer + t.src_offset + skip : nullptr, static_cast<std::size_t>(count)};
        return true;
    }

    // Applies the step's receives in transfer order. A batch of consecutive
    // reductions into one region is folded in one pass (fold_into), in the
    // same order, so the result is bitwise that of applying them one by one.
    void apply_receives(std::uint64_t tile, std::size_t step) {
        std::vector<Incoming> batch;
        auto folds_with = [](const Incoming& a, const Incoming& b) {
            return a.transfer->kind != TransferKind::copy && a.transfer->kind == b.transfer->kind &&
                   a.target == b.target && a.count == b.count;
        };
        for (std::size_t i = 0; i < schedule_.steps[step].transfers.size(); ++i) {
            Incoming piece;
            if (!incoming(tile, step, i, piece)) continue;
            if (!batch.empty() && !folds_with(batch.back(), piece)) {
                apply(batch);
                batch.clear();
            }
            batch.push_back(piece);
        }
        if (!batch.empty()) apply(batch);
    }

    // Applies a copy, or a batch of reductions into one region.
    void apply(std::span<const Incoming> batch) {
        const Incoming& first = batch.front();
        if (first.transfer->kind == TransferKind::copy) {
            if (first.on_chip_source != nullptr) {
                std::memcpy(first.target, first.on_chip_source, first.count * sizeof(T));
            } else {
                const Transfer& t = *first.transfer;
                transport_.recv_into(t.dst, t.src, first.tag,
                                     std::as_writable_bytes(std::span<T>(first.target, first.count)));
            }
            return;
        }
        std::vector<const T*> sources;
        gather_and_fold(batch, sources);
    }

    // Receives the sources of `batch` one inside the other (a received message
    // is readable only while its consumer runs), then folds them all.
    void gather_and_fold(std::span<const Incoming> batch, std::vector<const T*>& sources) {
        if (sources.size() == batch.size()) {
            if (batch.front().transfer->kind == TransferKind::tree_reduce) return tree_fold(batch, sources);
            fold_into<T>(batch.front().target, sources, batch.front().count);
            return;
        }
        with_source(batch[sources.size()], [&](const T* source) {
            sources.push_back(source);
            gather_and_fold(batch, sources);
        });
    }

    // The tree's terms are the sources and the target's own value, in the
    // participant order of the chips they come from.
    void tree_fold(std::span<const Incoming> batch, const std::vector<const T*>& sources) {
        const Incoming& first = batch.front();
        std::vector<std::pair<std::size_t, const T*>> terms{{index_of_.at(first.transfer->dst), first.target}};
        for (std::size_t i = 0; i < batch.size(); ++i) terms.emplace_back(index_of_.at(batch[i].transfer->src), sources[i]);
        std::sort(terms.begin(), terms.end());
        std::vector<const T*> ordered;
        for (const auto& term : terms) ordered.push_back(term.second);
        tree_fold_into<T>(first.target, ordered, first.count);
    }

    template <class Use>
    void with_source(const Incoming& piece, const Use& use) {
        if (piece.on_chip_source != nullptr) return use(piece.on_chip_source);
        const Transfer& t = *piece.transfer;
        transport_.recv(t.dst, t.src, piece.tag, piece.count * sizeof(T),
                        [&](std::span<const std::byte> bytes) { use(as_elements<T>(bytes)); });
    }

    const Schedule& schedule_;
    const std::vector<std::span<T>>& buffers_;
    Transport& transport_;
    std::vector<bool> local_;
    std::unordered_map<ChipId, std::size_t> index_of_;
    std::vector<bool> steps_with_trees_;
    std::uint64_t tile_elements_ = 1;
    std::uint64_t tiles_ = 1;
    std::atomic<std::uint64_t> next_tile_{0};
    std::atomic<bool> failed_{false};
    std::mutex failure_mutex_;
    std::exception_ptr failure_;
};

}  // namespace

template <class T>
void execute(const Schedule& schedule, const std::vector<std::span<T>>& buffers, Transport& transport,
             const ExecuteOptions& options) {
    Run<T>(schedule, buffers, transport, options).run(options.threads);
    transport.finish_sends();  // the caller may reuse its buffers once this returns
}

template void execute<float>(const Schedule&, const std::vector<std::span<float>>&, Transport&, const ExecuteOptions&);
template void execute<std::int32_t>(const Schedule&, const std::vector<std::span<std::int32_t>>&, Transport&,
                                    const ExecuteOptions&);
template void execute<std::int64_t>(const Schedule&, const std::vector<std::span<std::int64_t>>&, Transport&,
                                    const ExecuteOptions&);

}  // namespace lpu::collectives
