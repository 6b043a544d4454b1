#include "runtime/compiler/lowering.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

#include "base/error.hpp"
#include "base/log.hpp"
#include "collectives/selection.hpp"
#include "runtime/chip/precision.hpp"
#include "runtime/compiler/shard_cost.hpp"
#include "runtime/compiler/stage_hop.hpp"
#include "runtime/compiler/tensor_shard.hpp"
#include "runtime/compiler/weight_binding.hpp"
#include "runtime/kernels/attention.hpp"
#include "sim/chip/cost_model.hpp"

namespace lpu::compiler {
namespace {

using plan::BufferId;
using plan::BufferUse;
using plan::OpKind;

constexpr std::int64_t kFloat = sizeof(float);

class Lowering {
public:
    explicit Lowering(const LoweringInput& input)
        : in_(input),
          config_(*input.config),
          cost_(*input.spec),
          tp_(input.placement.tp),
          pp_(input.placement.pp),
          scheduler_(*input.fabric, *input.spec, input.placement.chips, input.scheduler) {
        for (int rank = 0; rank < tp_; ++rank) shards_.push_back(shard_tensor_parallel(config_, tp_, rank));
        for (std::size_t i = 0; i < input.placement.chips.size(); ++i) index_of_[input.placement.chips[i]] = i;
    }

    LoweredProgram run() {
        for (int stage = 0; stage + 1 < pp_; ++stage) {
            HopRoutes routes;
            for (int rank = 0; rank < tp_; ++rank) routes.push_back(scheduler_.route(chip(stage, rank), chip(stage + 1, rank)));
            stage_hops_.push_back(
                choose_stage_hop(*in_.fabric, routes, config_.dim, tp_ > 1 ? all_gather_ps(stage + 1) : 0));
            log::get("compiler")->debug("stage {} -> {}: x goes {}", stage, stage + 1,
                                        stage_hops_.back() == StageHop::scattered ? "in blocks, then all-gathered"
                                                                                   : "whole");
        }
        for (int stage = 0; stage < pp_; ++stage) {
            for (int rank = 0; rank < tp_; ++rank) allocate(stage, rank);
        }
        // Emitted in dataflow order (every Send before its Recv): stage by
        // stage, and within a stage sequence by sequence.
        std::vector<std::vector<SendTicket>> residuals(static_cast<std::size_t>(in_.batch));
        for (int stage = 0; stage < pp_; ++stage) {
            for (int sequence = 0; sequence < in_.batch; ++sequence) {
                sequence_ = sequence;
                auto& tickets = residuals[static_cast<std::size_t>(sequence)];
                if (stage == 0) {
                    embed(sequence);
                } else {
                    receive_residual(stage, tickets);
                }
                const IndexRange layers = stage_layers(stage);
                for (std::int64_t layer = layers.begin; layer < layers.end; ++layer) {
                    attention_block(stage, static_cast<int>(layer), sequence);
                    feed_forward_block(stage, static_cast<int>(layer));
                }
                if (stage + 1 < pp_) {
                    tickets = send_residual(stage);
                } else {
                    head(sequence);
                }
            }
        }
        return {scheduler_.take_programs(), scheduler_.min_flight_cycles()};
    }

private:
    std::size_t chip(int stage, int rank) const {
        return static_cast<std::size_t>(stage) * static_cast<std::size_t>(tp_) + static_cast<std::size_t>(rank);
    }
    BufferId buf(int stage, int rank, const std::string& name) const { return scheduler_.buffer(chip(stage, rank), name); }
    const TensorShard& shard(int rank) const { return shards_[static_cast<std::size_t>(rank)]; }
    IndexRange stage_layers(int stage) const { return in_.split.stages[static_cast<std::size_t>(stage)].layers; }

    // One chip's buffers, in the order they are numbered in the plan: its
    // weights, KV caches, activations, then the receive buffer of its all-reduces.
    void allocate(int stage, int rank) {
        const std::size_t c = chip(stage, rank);
        const TensorShard& s = shard(rank);
        const IndexRange layers = stage_layers(stage);
        const plan::ChipRole& role = assign_role(c, stage, rank, s, layers);
        allocate_weights(c, stage, role, layers);
        allocate_kv_caches(c, s, layers);
        allocate_activations(c, stage, rank, s);
        if (tp_ > 1) allocate_reduce_receive(c, stage);
    }

    // What the chip holds of the model: its stage's layers, its rank's heads,
    // hidden columns and vocabulary rows.
    const plan::ChipRole& assign_role(std::size_t c, int stage, int rank, const TensorShard& s, IndexRange layers) {
        plan::ChipRole& role = scheduler_.program(c).role;
        role.tp_rank = static_cast<std::uint32_t>(rank);
        role.pp_stage = static_cast<std::uint32_t>(stage);
        role.layers = to_plan_range(layers);
        role.heads = to_plan_range(s.query_heads);
        role.kv_heads = to_plan_range(s.kv_heads);
        role.hidden_columns = to_plan_range(s.hidden);
        role.vocab = to_plan_range(s.vocab);
        return role;
    }

    // The embedding on the first stage, the layers' matrices and norms, the
    // final norm and output (unless tied to an embedding already here) on the last.
    void allocate_weights(std::size_t c, int stage, const plan::ChipRole& role, IndexRange layers) {
        const auto weight = [&](const std::string& name) {
            scheduler_.add_buffer(c, name, BufferUse::weights, bind_weight(name, role, config_).bytes());
        };
        const bool first = stage == 0, last = stage == pp_ - 1;
        if (first) weight(kTokenEmbedding);
        if (config_.rope_freq_factors && layers.size() > 0) weight(kRopeFreqs);
        for (std::int64_t layer = layers.begin; layer < layers.end; ++layer) {
            for (const char* tensor : layer_tensor_names(config_)) weight(layer_weight_name(static_cast<int>(layer), tensor));
        }
        if (last) {
            weight(kFinalNorm);
            if (!(config_.tied_output && first)) weight(kOutput);
        }
    }

    // A key and a value cache per sequence and layer, for every position.
    void allocate_kv_caches(std::size_t c, const TensorShard& s, IndexRange layers) {
        const std::int64_t kv = s.kv_features().size();
        for (int sequence = 0; sequence < in_.batch; ++sequence) {
            for (std::int64_t layer = layers.begin; layer < layers.end; ++layer) {
                for (const char* cache : {"key_cache", "value_cache"}) {
                    scheduler_.add_buffer(c, cache_name(static_cast<int>(layer), cache, sequence), BufferUse::kv,
                                          kFloat * in_.positions * kv);
                }
            }
        }
    }

    // Buffers that receive messages (x, partial, rx, the head's logits) get
    // their data's bytes here; size_receive_rings (compile.cpp) then grows
    // them to the rings their messages need.
    void allocate_activations(std::size_t c, int stage, int rank, const TensorShard& s) {
        const auto activation = [&](const char* name, std::int64_t floats) {
            scheduler_.add_buffer(c, name, BufferUse::activation, kFloat * floats);
        };
        const std::int64_t kv = s.kv_features().size(), query = s.query_features().size();
        activation("x", config_.dim);
        activation("normed", config_.dim);
        activation("q", query);
        activation("k", kv);
        activation("v", kv);
        activation("attention", query);
        activation("partial", config_.dim);
        activation("gate", s.hidden.size());
        activation("up", s.hidden.size());
        if (config_.is_mixture_of_experts()) {
            activation("router", config_.experts);
            activation("expert_out", config_.dim);
        }
        activation("scores", static_cast<std::int64_t>(kernels::attention_scratch_floats(
                                 static_cast<int>(s.query_heads.size()), in_.positions)));
        if (stage == pp_ - 1) {
            for (int sequence = 0; sequence < in_.batch; ++sequence) {
                scheduler_.add_buffer(c, logits_buffer_name(sequence), BufferUse::activation,
                                      kFloat * (rank == 0 ? config_.vocab_size : s.vocab.size()));
            }
        }
    }

    // One all-reduce's reductions side by side (each collective starts again at 0).
    void allocate_reduce_receive(std::size_t c, int stage) {
        const std::int64_t reduce_floats =
            reduce_floats_into(schedule(stage, collectives::CollectiveOp::all_reduce).schedule, c);
        scheduler_.add_buffer(c, "rx", BufferUse::receive, kFloat * std::max<std::int64_t>(reduce_floats, 1));
    }

    static std::string cache_name(int layer, const char* cache, int sequence) {
        return "layer." + std::to_string(layer) + "." + cache + "." + std::to_string(sequence);
    }

    plan::Compute op(OpKind kind, std::vector<std::int64_t> shape, std::vector<BufferId> inputs,
                     std::vector<BufferId> outputs, std::int64_t cycles) const {
        plan::Compute compute;
        compute.op = kind;
        compute.shape = std::move(shape);
        compute.inputs = std::move(inputs);
        compute.outputs = std::move(outputs);
        compute.cycles = cycles;
        compute.sequence = static_cast<std::uint32_t>(sequence_);
        return compute;
    }

    std::int64_t vector_cycles(sim::VectorOp vector_op, std::int64_t elements) const {
        return cost_.vector_op_cycles(vector_op, elements);
    }

    // y = matrix x, the matrix's shape taken from its binding.
    void matmul(int stage, int rank, const std::string& matrix, const char* x, const std::string& y,
                int lm_head_sequence = -1) {
        const std::size_t c = chip(stage, rank);
        const WeightBinding binding = bind_weight(matrix, scheduler_.program(c).role, config_);
        const std::int64_t cycles = cost_.matmul_cycles(chip::weight_product(binding.dtype, binding.rows(), binding.cols()));
        std::vector<std::int64_t> shape{binding.rows(), binding.cols()};
        if (lm_head_sequence >= 0) shape.push_back(lm_head_sequence);
        scheduler_.compute(c, op(lm_head_sequence >= 0 ? OpKind::lm_head : OpKind::matmul, std::move(shape),
                                 {buf(stage, rank, matrix), buf(stage, rank, x)}, {buf(stage, rank, y)}, cycles));
    }

    // y = the matrix of the expert routed into `slot` x (one expert's slice of the
    // stacked buffer), times the slot's routing weight when `weighted`.
    void expert_matmul(int stage, int rank, const std::string& experts, int slot, bool weighted, const char* x,
                       const char* y) {
        const std::size_t c = chip(stage, rank);
        const WeightBinding binding = bind_weight(experts, scheduler_.program(c).role, config_);
        std::int64_t cycles = cost_.matmul_cycles(chip::weight_product(binding.dtype, binding.rows(), binding.cols()));
        if (weighted) cycles += vector_cycles(sim::VectorOp::Multiply, binding.rows());
        scheduler_.compute(c, op(OpKind::expert_matmul, {binding.rows(), binding.cols(), slot, weighted ? 1 : 0},
                                 {buf(stage, rank, experts), buf(stage, rank, x)}, {buf(stage, rank, y)}, cycles));
    }

    void rmsnorm(int stage, int rank, const char* x, const std::string& weight, const char* y) {
        scheduler_.compute(chip(stage, rank),
                           op(OpKind::rmsnorm, {config_.dim},
                              {buf(stage, rank, x), buf(stage, rank, weight)}, {buf(stage, rank, y)},
                              vector_cycles(sim::VectorOp::RmsNorm, config_.dim)));
    }

    void add_partial(int stage, int rank) {
        const BufferId x = buf(stage, rank, "x");
        scheduler_.compute(chip(stage, rank), op(OpKind::add, {0, 0, config_.dim}, {x, buf(stage, rank, "partial")},
                                                 {x}, vector_cycles(sim::VectorOp::Add, config_.dim)));
    }

    void embed(int sequence) {
        for (int rank = 0; rank < tp_; ++rank) {
            const IndexRange vocab = shard(rank).vocab;
            scheduler_.compute(chip(0, rank), op(OpKind::embed, {vocab.begin, vocab.end, sequence},
                                                 {buf(0, rank, kTokenEmbedding)}, {buf(0, rank, "x")},
                                                 vector_cycles(sim::VectorOp::Multiply, config_.dim)));
        }
        collective(0, collectives::CollectiveOp::all_reduce, "x");
    }

    void attention_block(int stage, int layer, int sequence) {
        const std::string prefix = "layer." + std::to_string(layer) + ".";
        for (int rank = 0; rank < tp_; ++rank) {
            const TensorShard& s = shard(rank);
            const std::size_t c = chip(stage, rank);
            rmsnorm(stage, rank, "x", prefix + "attn_norm", "normed");
            matmul(stage, rank, prefix + "wq", "normed", "q");
            matmul(stage, rank, prefix + "wk", "normed", "k");
            matmul(stage, rank, prefix + "wv", "normed", "v");
            const std::int64_t query = s.query_features().size(), kv = s.kv_features().size();
            if (config_.qkv_bias) {
                add_bias(stage, rank, "q", prefix + "bq", query);
                add_bias(stage, rank, "k", prefix + "bk", kv);
                add_bias(stage, rank, "v", prefix + "bv", kv);
            }
            rope(stage, rank, s);
            plan::Compute attention =
                op(OpKind::attention,
                   {config_.n_heads, config_.n_kv_heads, s.head_dim, s.query_heads.begin, s.query_heads.size()},
                   {buf(stage, rank, "q"), buf(stage, rank, "k"), buf(stage, rank, "v"),
                    buf(stage, rank, cache_name(layer, "key_cache", sequence)),
                    buf(stage, rank, cache_name(layer, "value_cache", sequence)),
                    buf(stage, rank, "scores")},
                   {buf(stage, rank, "attention")}, 0);
            set_attention_cycles(attention, s);
            scheduler_.compute(c, std::move(attention));
            matmul(stage, rank, prefix + "wo", "attention", "partial");
        }
        collective(stage, collectives::CollectiveOp::all_reduce, "partial");
        for (int rank = 0; rank < tp_; ++rank) add_partial(stage, rank);
    }

    // values += this rank's rows of a bias (an add op reading the bias's weight buffer).
    void add_bias(int stage, int rank, const char* values, const std::string& bias, std::int64_t count) {
        const BufferId target = buf(stage, rank, values);
        scheduler_.compute(chip(stage, rank), op(OpKind::add, {0, 0, count}, {target, buf(stage, rank, bias)}, {target},
                                                 vector_cycles(sim::VectorOp::Add, count)));
    }

    // RoPE on this rank's q and k heads, with the model's pairing; scaled RoPE
    // reads the frequency factors too.
    void rope(int stage, int rank, const TensorShard& s) {
        std::vector<BufferId> inputs{buf(stage, rank, "q"), buf(stage, rank, "k")};
        if (config_.rope_freq_factors) inputs.push_back(buf(stage, rank, kRopeFreqs));
        const std::int64_t rotated = s.query_features().size() + s.kv_features().size();
        scheduler_.compute(chip(stage, rank),
                           op(OpKind::rope,
                              {s.query_heads.size(), s.kv_heads.size(), s.head_dim, rope_pairing_code(config_.rope_pairing)},
                              std::move(inputs), {buf(stage, rank, "q"), buf(stage, rank, "k")},
                              rope_cycles(config_, cost_, rotated)));
    }

    // Attention's cost grows with the positions attended: the plan holds it as
    // cycles + cycles_per_1024_positions x (position + 1) / 1024 (plan.hpp),
    // the line through the cost model's figures at 1 position and at the full
    // context, its slope in 1/1024 cycles (off by under a cycle per 2048 positions).
    void set_attention_cycles(plan::Compute& attention, const TensorShard& s) const {
        const std::int64_t at_one = cost_.attention_cycles(shard_attention_shape(config_, s, 1));
        const std::int64_t at_full = cost_.attention_cycles(shard_attention_shape(config_, s, in_.positions));
        const std::int64_t span = in_.positions - 1;
        const std::int64_t per_position = span > 0 ? ((at_full - at_one) * 1024 + span / 2) / span : 0;
        const std::int64_t store_kv = cost_.sram_copy_cycles(2 * kFloat * s.kv_features().size());
        attention.cycles = std::max<std::int64_t>(at_one - per_position / 1024, 0) + store_kv;
        attention.cycles_per_1024_positions = per_position;
    }

    void feed_forward_block(int stage, int layer) {
        if (config_.is_mixture_of_experts()) {
            expert_feed_forward_block(stage, layer);
            return;
        }
        const std::string prefix = "layer." + std::to_string(layer) + ".";
        for (int rank = 0; rank < tp_; ++rank) {
            const std::int64_t hidden = shard(rank).hidden.size();
            rmsnorm(stage, rank, "x", prefix + "ffn_norm", "normed");
            matmul(stage, rank, prefix + "w_gate", "normed", "gate");
            matmul(stage, rank, prefix + "w_up", "normed", "up");
            scheduler_.compute(chip(stage, rank),
                               op(OpKind::swiglu, {hidden}, {buf(stage, rank, "gate"), buf(stage, rank, "up")},
                                  {buf(stage, rank, "gate")},
                                  vector_cycles(sim::VectorOp::Silu, hidden) +
                                      vector_cycles(sim::VectorOp::Multiply, hidden)));
            matmul(stage, rank, prefix + "w_down", "gate", "partial");
        }
        collective(stage, collectives::CollectiveOp::all_reduce, "partial");
        for (int rank = 0; rank < tp_; ++rank) add_partial(stage, rank);
    }

    // A mixture-of-experts FFN. Every rank runs the router (experts x dim) on
    // the normed residual and routes the token (the route op: the top
    // active_experts and their weights, the same on every rank, which all see
    // the same residual); then, for each of the k slots, its slice of the
    // slot's expert's FFN, the output times the routing weight, and the slots'
    // outputs summed in slot order into the partial that the TP all-reduce
    // completes. On one rank that is the sum one chip forms, bit for bit.
    //
    // Which experts a token picks is only known at run time, but a slot's
    // cost does not depend on which expert fills it (they all have the same
    // shape), so the plan is static: every step costs exactly k experts' work,
    // as a deterministic schedule needs. Load imbalance does not arise either:
    // each rank holds a slice of every expert, not whole experts.
    void expert_feed_forward_block(int stage, int layer) {
        const std::string prefix = "layer." + std::to_string(layer) + ".";
        for (int rank = 0; rank < tp_; ++rank) {
            const std::size_t c = chip(stage, rank);
            const std::int64_t hidden = shard(rank).hidden.size();
            rmsnorm(stage, rank, "x", prefix + "ffn_norm", "normed");
            matmul(stage, rank, prefix + kRouter, "normed", "router");
            scheduler_.compute(c, op(OpKind::route, {config_.experts, config_.active_experts, layer},
                                     {buf(stage, rank, "router")}, {buf(stage, rank, "router")},
                                     vector_cycles(sim::VectorOp::Softmax, config_.experts)));
            for (int slot = 0; slot < config_.active_experts; ++slot) {
                const char* out = slot == 0 ? "partial" : "expert_out";
                expert_matmul(stage, rank, prefix + kExpertGate, slot, false, "normed", "gate");
                expert_matmul(stage, rank, prefix + kExpertUp, slot, false, "normed", "up");
                scheduler_.compute(c, op(OpKind::swiglu, {hidden}, {buf(stage, rank, "gate"), buf(stage, rank, "up")},
                                         {buf(stage, rank, "gate")},
                                         vector_cycles(sim::VectorOp::Silu, hidden) +
                                             vector_cycles(sim::VectorOp::Multiply, hidden)));
                expert_matmul(stage, rank, prefix + kExpertDown, slot, true, "gate", out);
                if (slot > 0) {
                    const BufferId partial = buf(stage, rank, "partial");
                    scheduler_.compute(c, op(OpKind::add, {0, 0, config_.dim}, {partial, buf(stage, rank, out)},
                                             {partial}, vector_cycles(sim::VectorOp::Add, config_.dim)));
                }
            }
        }
        collective(stage, collectives::CollectiveOp::all_reduce, "partial");
        for (int rank = 0; rank < tp_; ++rank) add_partial(stage, rank);
    }

    // Whether x reaches `stage` (> 0) in blocks, to be all-gathered there (stage_hop.hpp).
    bool scattered_into(int stage) const {
        return stage_hops_[static_cast<std::size_t>(stage - 1)] == StageHop::scattered;
    }

    // The part of x that rank `rank` sends to the next stage, in floats.
    collectives::ElementRange hop_block(int into_stage, int rank) const {
        if (!scattered_into(into_stage)) return {0, static_cast<std::uint64_t>(config_.dim)};
        return collectives::block_range(static_cast<std::uint64_t>(config_.dim), static_cast<std::uint64_t>(tp_),
                                        static_cast<std::uint64_t>(rank));
    }

    std::vector<SendTicket> send_residual(int stage) {
        std::vector<SendTicket> tickets;
        for (int rank = 0; rank < tp_; ++rank) {
            const collectives::ElementRange block = hop_block(stage + 1, rank);
            tickets.push_back(scheduler_.send(chip(stage, rank), chip(stage + 1, rank), buf(stage, rank, "x"),
                                              kFloat * static_cast<std::int64_t>(block.offset),
                                              kFloat * static_cast<std::int64_t>(block.count)));
        }
        return tickets;
    }

    void receive_residual(int stage, const std::vector<SendTicket>& tickets) {
        for (int rank = 0; rank < tp_; ++rank) {
            scheduler_.recv(tickets[static_cast<std::size_t>(rank)], buf(stage, rank, "x"),
                            kFloat * static_cast<std::int64_t>(hop_block(stage, rank).offset));
        }
        if (scattered_into(stage)) collective(stage, collectives::CollectiveOp::all_gather, "x");
    }

    void head(int sequence) {
        const int stage = pp_ - 1;
        const bool tied_here = config_.tied_output && pp_ == 1;
        const std::string logits = logits_buffer_name(sequence);
        for (int rank = 0; rank < tp_; ++rank) {
            rmsnorm(stage, rank, "x", kFinalNorm, "normed");
            matmul(stage, rank, tied_here ? kTokenEmbedding : kOutput, "normed", logits, sequence);
        }
        std::vector<SendTicket> tickets;
        for (int rank = 1; rank < tp_; ++rank) {
            tickets.push_back(scheduler_.send(chip(stage, rank), chip(stage, 0), buf(stage, rank, logits), 0,
                                              kFloat * shard(rank).vocab.size()));
        }
        for (int rank = 1; rank < tp_; ++rank) {
            scheduler_.recv(tickets[static_cast<std::size_t>(rank - 1)], buf(stage, 0, logits),
                            kFloat * shard(rank).vocab.begin);
        }
    }

    // A collective of a stage's TP group over x's dim floats: its schedule and
    // what the fabric model says it takes. A named algorithm is the all-reduce's
    // (--collective); the all-gather between stages is always the fastest.
    struct TimedSchedule {
        collectives::Schedule schedule;
        std::int64_t emulated_ps = 0;
    };
    const TimedSchedule& schedule(int stage, collectives::CollectiveOp op) {
        const auto key = std::make_pair(stage, op);
        auto found = schedules_.find(key);
        if (found == schedules_.end()) {
            collectives::Request request;
            request.op = op;
            request.participants = in_.placement.tp_group(stage);
            request.count = static_cast<std::uint64_t>(config_.dim);
            request.element_bytes = kFloat;
            auto selection = collectives::select_schedule(
                *in_.fabric, request, op == collectives::CollectiveOp::all_reduce ? in_.collective_algorithm : "auto");
            found = schedules_.emplace(key, TimedSchedule{std::move(selection.schedule), selection.emulated_ps}).first;
        }
        return found->second;
    }

    // What an all-gather of x on `stage` takes in the plan: the fabric model's
    // time, plus on every step the skew guard its transfers wait for
    // (plan_scheduler.cpp), which the whole hop pays only once.
    std::int64_t all_gather_ps(int stage) {
        const TimedSchedule& gather = schedule(stage, collectives::CollectiveOp::all_gather);
        double skew = 0.0;
        const auto& bounds = in_.scheduler.skew_bound_cycles;
        for (int rank = 0; rank < tp_ && !bounds.empty(); ++rank) skew = std::max(skew, bounds[chip(stage, rank)]);
        const double guard_ps = std::ceil(2.0 * skew * 1e12 / static_cast<double>(in_.spec->clock_hz));
        return gather.emulated_ps + static_cast<std::int64_t>(gather.schedule.steps.size()) *
                                        static_cast<std::int64_t>(guard_ps);
    }

    // The floats a chip receives to reduce in one collective: each reduction
    // lands in its own part of "rx" (copies land in the buffer itself).
    std::int64_t reduce_floats_into(const collectives::Schedule& plan, std::size_t c) const {
        std::int64_t floats = 0;
        for (const auto& step : plan.steps) {
            for (const auto& transfer : step.transfers) {
                if (transfer.kind != collectives::TransferKind::copy && index_of_.at(transfer.dst) == c)
                    floats += static_cast<std::int64_t>(transfer.count);
            }
        }
        return floats;
    }

    // An all-reduce or all-gather of the buffer `name` (dim floats) over the stage's TP group.
    void collective(int stage, collectives::CollectiveOp kind, const char* name) {
        if (tp_ == 1) return;
        const collectives::Schedule& plan = schedule(stage, kind).schedule;
        std::map<std::size_t, std::int64_t> rx_used;
        for (const auto& step : plan.steps) {
            std::vector<SendTicket> tickets;
            for (const auto& t : step.transfers) {
                invariant(t.src != t.dst, "collective '" + plan.algorithm + "' has an on-chip transfer, which plans do not lower");
                const std::size_t src = index_of_.at(t.src);
                tickets.push_back(scheduler_.send(src, index_of_.at(t.dst), scheduler_.buffer(src, name),
                                                  kFloat * static_cast<std::int64_t>(t.src_offset),
                                                  kFloat * static_cast<std::int64_t>(t.count)));
            }
            // Tree folds, per receiving chip and region: each term's place, by participant order.
            std::map<std::pair<std::size_t, std::uint64_t>, std::map<std::size_t, Place>> trees;
            for (std::size_t i = 0; i < step.transfers.size(); ++i) {
                const auto& t = step.transfers[i];
                const std::size_t dst = index_of_.at(t.dst);
                const BufferId target = scheduler_.buffer(dst, name);
                const auto offset = static_cast<std::int64_t>(t.dst_offset), count = static_cast<std::int64_t>(t.count);
                if (t.kind == collectives::TransferKind::copy) {
                    scheduler_.recv(tickets[i], target, kFloat * offset);
                    continue;
                }
                const BufferId rx = scheduler_.buffer(dst, "rx");
                std::int64_t& used = rx_used[dst];
                scheduler_.recv(tickets[i], rx, kFloat * used);
                if (t.kind == collectives::TransferKind::tree_reduce) {
                    auto& terms = trees[{dst, t.dst_offset}];
                    terms[plan.participant_index(t.dst)] = Place{target, offset, true};
                    terms[plan.participant_index(t.src)] = Place{rx, used, false};
                } else {
                    scheduler_.compute(dst, op(OpKind::add, {offset, used, count}, {target, rx}, {target},
                                               vector_cycles(sim::VectorOp::Add, count)));
                }
                used += count;
            }
            for (const auto& [where, terms] : trees) {
                const auto count = static_cast<std::int64_t>(step_count_at(step, where.second));
                std::vector<Place> ordered;
                for (const auto& [index, place] : terms) ordered.push_back(place);
                fold_tree(where.first, ordered, count);
            }
        }
    }

    // Where a term of a tree fold lies; `own` when it is the target region itself.
    struct Place {
        BufferId buffer = 0;
        std::int64_t offset = 0;  // elements
        bool own = false;
    };

    static std::uint64_t step_count_at(const collectives::Step& step, std::uint64_t dst_offset) {
        for (const auto& t : step.transfers) {
            if (t.kind == collectives::TransferKind::tree_reduce && t.dst_offset == dst_offset) return t.count;
        }
        return 0;
    }

    // schedule.hpp's tree fold with in-place adds: every pair is combined into
    // the place of the part that holds the chip's own value (the target), or
    // else of the left part. a + b and b + a are the same bits, so where the
    // sum lands does not change it, and the own part ends in the target.
    void fold_tree(std::size_t c, std::vector<Place> terms, std::int64_t count) {
        const auto combine = [&](Place& left, const Place& right) {
            const bool into_right = right.own;
            const Place& into = into_right ? right : left;
            const Place& from = into_right ? left : right;
            scheduler_.compute(c, op(OpKind::add, {into.offset, from.offset, count}, {into.buffer, from.buffer},
                                     {into.buffer}, vector_cycles(sim::VectorOp::Add, count)));
            if (into_right) left = right;
        };
        const std::size_t p = std::bit_floor(terms.size());
        for (std::size_t j = 0; j + p < terms.size(); ++j) combine(terms[j], terms[p + j]);
        for (std::size_t distance = p / 2; distance >= 1; distance /= 2) {
            for (std::size_t j = 0; j < distance; ++j) combine(terms[j], terms[j + distance]);
        }
    }

    const LoweringInput& in_;
    const model::ModelConfig& config_;
    sim::CostModel cost_;
    int tp_, pp_;
    PlanScheduler scheduler_;
    std::vector<TensorShard> shards_;
    std::map<topology::ChipId, std::size_t> index_of_;
    std::map<std::pair<int, collectives::CollectiveOp>, TimedSchedule> schedules_;
    int sequence_ = 0;  // the sequence whose ops are being emitted (Compute::sequence)
    std::vector<StageHop> stage_hops_;  // [s]: how x goes from stage s to s + 1
};

}  // namespace

std::string logits_buffer_name(int sequence) { return "logits." + std::to_string(sequence); }

std::int64_t rope_pairing_code(kernels::RopePairing pairing) { return pairing == kernels::RopePairing::Halves ? 1 : 0; }

kernels::RopePairing rope_pairing_from_code(std::int64_t code) {
    require(code == 0 || code == 1, "rope op: pairing " + std::to_string(code) + " is neither 0 (adjacent) nor 1 (halves)");
    return code == 1 ? kernels::RopePairing::Halves : kernels::RopePairing::Adjacent;
}

LoweredProgram lower_model(const LoweringInput& input) {
    invariant(input.batch >= 1, "the batch must be at least 1 sequence, got " + std::to_string(input.batch));
    invariant(input.config && input.spec && input.fabric, "lower_model: config, spec and fabric are required");
    invariant(static_cast<int>(input.split.stages.size()) == input.placement.pp,
              "lower_model: the pipeline split has " + std::to_string(input.split.stages.size()) + " stages, the grid " +
                  std::to_string(input.placement.pp));
    return Lowering(input).run();
}

}  // namespace lpu::compiler
