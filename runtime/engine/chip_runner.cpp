#include "runtime/engine/chip_runner.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "base/error.hpp"
#include "runtime/compiler/lowering.hpp"
#include "runtime/compiler/weight_binding.hpp"
#include "runtime/compiler/weight_slice.hpp"
#include "runtime/engine/executable_model.hpp"
#include "runtime/kernels/activation.hpp"
#include "runtime/kernels/attention.hpp"
#include "runtime/kernels/expert_routing.hpp"
#include "runtime/kernels/matvec.hpp"
#include "runtime/kernels/norm.hpp"
#include "runtime/kernels/quantize.hpp"
#include "runtime/kernels/rope.hpp"

namespace lpu::engine {
namespace {

chip::SramUse sram_use(plan::BufferUse use) {
    switch (use) {
        case plan::BufferUse::weights: return chip::SramUse::Weights;
        case plan::BufferUse::kv: return chip::SramUse::KvCache;
        case plan::BufferUse::activation: return chip::SramUse::Activations;
        case plan::BufferUse::receive: return chip::SramUse::ReceiveBuffers;
    }
    return chip::SramUse::Activations;
}

// A message of a plan's transfer: its bytes, then the cycle its send started
// on the sending chip (64 bits, little-endian).
constexpr std::size_t kStampBytes = 8;

void write_stamp(std::int64_t cycle, std::span<std::byte> out) {
    const auto bits = static_cast<std::uint64_t>(cycle);
    for (std::size_t i = 0; i < kStampBytes; ++i) out[i] = static_cast<std::byte>(bits >> (8 * i));
}

std::int64_t read_stamp(std::span<const std::byte> in) {
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < kStampBytes; ++i) bits |= std::uint64_t{std::to_integer<std::uint8_t>(in[i])} << (8 * i);
    return static_cast<std::int64_t>(bits);
}

chip::OpKind account_kind(plan::OpKind op) {
    switch (op) {
        case plan::OpKind::matmul:
        case plan::OpKind::lm_head: return chip::OpKind::Matmul;
        case plan::OpKind::attention: return chip::OpKind::Attention;
        default: return chip::OpKind::Vector;
    }
}

}  // namespace

ChipRunner::ChipRunner(const plan::Plan& plan, std::size_t chip, const model::ModelFile& file,
                       const sim::ChipSpec& spec, kernels::ThreadPool& pool)
    : plan_(plan),
      index_(chip),
      program_(plan.chips.at(chip)),
      config_(file.config()),
      pool_(pool),
      chip_(static_cast<int>(program_.chip), spec) {
    require_executable(config_);
    // The arena is a stack: allocating in offset order reproduces the plan's offsets.
    std::vector<plan::BufferId> order(program_.buffers.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](plan::BufferId a, plan::BufferId b) {
        return program_.buffers[a].sram_offset_bytes < program_.buffers[b].sram_offset_bytes;
    });
    buffers_.resize(program_.buffers.size());
    for (plan::BufferId id : order) {
        const plan::Buffer& buffer = program_.buffers[id];
        buffers_[id] = chip_.sram().allocate(buffer.size_bytes, sram_use(buffer.use), buffer.name);
        require(chip_.sram().offset_of(buffers_[id].data()) == buffer.sram_offset_bytes,
                "chip " + std::to_string(program_.chip) + ": buffer '" + buffer.name + "' is planned at SRAM offset " +
                    std::to_string(buffer.sram_offset_bytes) + ", which this chip's allocator cannot reproduce");
    }
    load_weights(file);
    for (const auto& instruction : program_.instructions) {
        if (const auto* compute = std::get_if<plan::Compute>(&instruction.body)) check(*compute);
    }
}

// Plans come from files: every op's shape is checked against its buffers once,
// so a plan that would read or write outside them is refused before it runs.
void ChipRunner::check(const plan::Compute& compute) const {
    const std::string where = "chip " + std::to_string(program_.chip) + ": " + plan::op_kind_name(compute.op) + " op";
    const auto& shape = compute.shape;
    const auto count = [&](std::size_t n) {
        require(shape.size() == n, where + " has " + std::to_string(shape.size()) + " shape fields, not " +
                                       std::to_string(n));
        for (std::int64_t value : shape) require(value >= 0, where + " has a negative shape field");
    };
    const auto ids = [&](const std::vector<plan::BufferId>& list, std::size_t n, const char* what) {
        require(list.size() == n, where + " needs " + std::to_string(n) + " " + what);
        for (plan::BufferId id : list) require(id < buffers_.size(), where + " names an unknown buffer");
    };
    const auto holds = [&](plan::BufferId id, std::int64_t floats) {
        require(floats >= 0 && static_cast<std::size_t>(floats) * sizeof(float) <= buffers_[id].size(),
                where + ": buffer '" + program_.buffers[id].name + "' is too small for it");
    };
    const std::int64_t dim = config_.dim;
    switch (compute.op) {
        case plan::OpKind::embed: {
            count(3); ids(compute.inputs, 1, "input"); ids(compute.outputs, 1, "output");
            const auto& table = matrix(compute.inputs[0]);
            require(table.rows == shape[1] - shape[0] && table.cols == dim, where + ": table does not match the shape");
            holds(compute.outputs[0], dim);
            break;
        }
        case plan::OpKind::rmsnorm:
            count(1); ids(compute.inputs, 2, "inputs"); ids(compute.outputs, 1, "output");
            require(shape[0] == dim, where + ": normalises " + std::to_string(shape[0]) + " values, the model's dim is " +
                                         std::to_string(dim));
            holds(compute.inputs[0], dim); holds(compute.inputs[1], dim); holds(compute.outputs[0], dim);
            break;
        case plan::OpKind::matmul:
        case plan::OpKind::lm_head: {
            count(compute.op == plan::OpKind::lm_head ? 3 : 2); ids(compute.inputs, 2, "inputs"); ids(compute.outputs, 1, "output");
            const auto& w = matrix(compute.inputs[0]);
            require(w.rows == shape[0] && w.cols == shape[1], where + ": matrix does not match the shape");
            holds(compute.inputs[1], w.cols); holds(compute.outputs[0], w.rows);
            break;
        }
        case plan::OpKind::rope:
            count(4); ids(compute.inputs, config_.rope_freq_factors ? 3 : 2, "inputs"); ids(compute.outputs, 2, "outputs");
            require(shape[2] > 0 && shape[2] % 2 == 0, where + ": head_dim " + std::to_string(shape[2]) + " is not even and positive");
            require(compiler::rope_pairing_from_code(shape[3]) == config_.rope_pairing,
                    where + ": pairs values differently from the model's RoPE");
            holds(compute.outputs[0], shape[0] * shape[2]); holds(compute.outputs[1], shape[1] * shape[2]);
            if (config_.rope_freq_factors) holds(compute.inputs[2], shape[2] / 2);
            break;
        case plan::OpKind::attention: {
            count(5); ids(compute.inputs, 6, "inputs"); ids(compute.outputs, 1, "output");
            const kernels::AttentionHeads heads{static_cast<int>(shape[0]), static_cast<int>(shape[1]),
                                                static_cast<int>(shape[2]), static_cast<int>(shape[3]),
                                                static_cast<int>(shape[4])};
            require(heads.n_kv_heads > 0 && heads.head_count > 0 && heads.n_heads % heads.n_kv_heads == 0 &&
                        heads.first_head + heads.head_count <= heads.n_heads,
                    where + ": inconsistent heads");
            const std::int64_t stride = std::int64_t{heads.kv_head_count()} * heads.head_dim;
            const std::int64_t query = std::int64_t{heads.head_count} * heads.head_dim;
            holds(compute.inputs[0], query); holds(compute.inputs[1], stride); holds(compute.inputs[2], stride);
            holds(compute.outputs[0], query);
            require(buffers_[compute.inputs[3]].size() == buffers_[compute.inputs[4]].size(),
                    where + ": key and value caches differ in size");
            break;
        }
        case plan::OpKind::swiglu:
            count(1); ids(compute.inputs, 2, "inputs"); ids(compute.outputs, 1, "output");
            holds(compute.inputs[0], shape[0]); holds(compute.inputs[1], shape[0]); holds(compute.outputs[0], shape[0]);
            break;
        case plan::OpKind::add:
            count(3); ids(compute.inputs, 2, "inputs"); ids(compute.outputs, 1, "output");
            holds(compute.inputs[0], shape[0] + shape[2]); holds(compute.inputs[1], shape[1] + shape[2]);
            break;
        case plan::OpKind::route:
            count(3); ids(compute.inputs, 1, "input"); ids(compute.outputs, 1, "output");
            require(shape[0] == config_.experts && shape[1] >= 1 && shape[1] <= shape[0] && shape[2] < config_.n_layers,
                    where + ": routes among " + std::to_string(shape[0]) + " experts (top " + std::to_string(shape[1]) +
                        ") in layer " + std::to_string(shape[2]) + "; the model has " + std::to_string(config_.experts) +
                        " experts and " + std::to_string(config_.n_layers) + " layers");
            holds(compute.inputs[0], shape[0]);
            break;
        case plan::OpKind::expert_matmul: {
            count(4); ids(compute.inputs, 2, "inputs"); ids(compute.outputs, 1, "output");
            const auto& experts = expert_matrices(compute.inputs[0]);
            require(experts.front().rows == shape[0] && experts.front().cols == shape[1],
                    where + ": the experts' matrices do not match the shape");
            require(shape[2] < config_.active_experts && shape[3] <= 1, where + ": slot " + std::to_string(shape[2]) +
                                                                      " or weighted " + std::to_string(shape[3]) +
                                                                      " out of range");
            holds(compute.inputs[1], shape[1]); holds(compute.outputs[0], shape[0]);
            break;
        }
    }
}

void ChipRunner::load_weights(const model::ModelFile& file) {
    for (plan::BufferId id = 0; id < program_.buffers.size(); ++id) {
        const plan::Buffer& buffer = program_.buffers[id];
        if (buffer.use != plan::BufferUse::weights) continue;
        const compiler::WeightBinding binding = compiler::bind_weight(buffer.name, program_.role, config_);
        const model::TensorView& tensor = compiler::bound_tensor(binding, file.weights());
        require(tensor.dtype == binding.dtype && binding.bytes() == buffer.size_bytes,
                "weight buffer '" + buffer.name + "' of chip " + std::to_string(program_.chip) + " holds " +
                    std::to_string(buffer.size_bytes) + " bytes; the model's tensor slice has " +
                    std::to_string(binding.bytes()) + " (" + kernels::dtype_name(tensor.dtype) + ")");
        // The binding's shape: a bias vector is sliced as a column of `features` rows.
        const std::int64_t matrix_elements = binding.tensor_rows * binding.tensor_cols;
        require(tensor.elements() == binding.stacked * matrix_elements,
                "weight buffer '" + buffer.name + "': the model's tensor has " + std::to_string(tensor.elements()) +
                    " values, the plan expects " + std::to_string(binding.stacked * matrix_elements));
        // Stacked experts: each expert's matrix, then its slice, one after another.
        const std::size_t whole_bytes = kernels::dtype_bytes(tensor.dtype, static_cast<std::size_t>(matrix_elements));
        const std::size_t slice_bytes = static_cast<std::size_t>(buffer.size_bytes / binding.stacked);
        std::vector<kernels::Matrix> loaded;
        for (std::int64_t m = 0; m < binding.stacked; ++m) {
            const kernels::Matrix whole{tensor.dtype, binding.tensor_rows, binding.tensor_cols,
                                        tensor.data + static_cast<std::size_t>(m) * whole_bytes};
            const auto out = buffers_[id].subspan(static_cast<std::size_t>(m) * slice_bytes, slice_bytes);
            switch (binding.slice) {
                case compiler::SliceKind::whole:
                    std::memcpy(out.data(), whole.data, whole_bytes);
                    loaded.push_back({whole.dtype, whole.rows, whole.cols, out.data()});
                    break;
                case compiler::SliceKind::rows: loaded.push_back(compiler::slice_rows(whole, binding.range, out)); break;
                case compiler::SliceKind::columns: loaded.push_back(compiler::slice_columns(whole, binding.range, out)); break;
            }
        }
        if (binding.stacked == 1) {
            matrices_[id] = loaded.front();
        } else {
            experts_[id] = std::move(loaded);
        }
    }
}

std::span<float> ChipRunner::floats(plan::BufferId buffer) {
    auto bytes = buffers_.at(buffer);
    return {reinterpret_cast<float*>(bytes.data()), bytes.size() / sizeof(float)};
}

const kernels::Matrix& ChipRunner::matrix(plan::BufferId buffer) const {
    const auto found = matrices_.find(buffer);
    require(found != matrices_.end(), [&] {
        return "chip " + std::to_string(program_.chip) + ": buffer '" + program_.buffers.at(buffer).name +
               "' is not a weight matrix";
    });
    return found->second;
}

const std::vector<kernels::Matrix>& ChipRunner::expert_matrices(plan::BufferId buffer) const {
    const auto found = experts_.find(buffer);
    require(found != experts_.end(), [&] {
        return "chip " + std::to_string(program_.chip) + ": buffer '" + program_.buffers.at(buffer).name +
               "' holds no experts' matrices";
    });
    return found->second;
}

void ChipRunner::begin_step(std::span<const int> tokens, std::span<const int> positions) {
    invariant(tokens.size() == plan_.grid.batch && positions.size() == plan_.grid.batch, [&] {
        return "a step of a plan of batch " + std::to_string(plan_.grid.batch) + " needs a token and a position per sequence, got " +
               std::to_string(tokens.size()) + " and " + std::to_string(positions.size());
    });
    next_ = 0;
    tokens_.assign(tokens.begin(), tokens.end());
    positions_.assign(positions.begin(), positions.end());
    routing_.clear();
    chip_.reset_step();
    start_cycles_.assign(program_.instructions.size(), 0);
    durations_.assign(program_.instructions.size(), 0);
}

void ChipRunner::keep_time(chip::OpKind kind, std::int64_t cycles, std::int64_t arrival_cycle) {
    const plan::Instruction& instruction = program_.instructions[next_];
    start_cycles_[next_] = chip_.begin_instruction(instruction.cycle, arrival_cycle);
    chip_.run_instruction(kind, cycles, plan::instruction_duration(instruction.body));
    durations_[next_] = cycles;
}

bool ChipRunner::advance(collectives::Transport& transport, const std::function<void()>& sent) {
    const std::size_t start = next_;
    const auto chip = program_.chip;
    while (!done()) {
        const plan::Instruction& instruction = program_.instructions[next_];
        if (const auto* compute = std::get_if<plan::Compute>(&instruction.body)) {
            execute(*compute);
            keep_time(account_kind(compute->op), plan::compute_cycles_at(*compute, position_of(*compute)));
        } else if (const auto* send = std::get_if<plan::Send>(&instruction.body)) {
            const auto bytes = buffers_.at(send->buffer).subspan(static_cast<std::size_t>(send->offset_bytes),
                                                                 static_cast<std::size_t>(send->bytes));
            keep_time(chip::OpKind::Transfer, 0);  // a transfer takes no time of its chip
            outgoing_.resize(bytes.size() + kStampBytes);
            std::memcpy(outgoing_.data(), bytes.data(), bytes.size());
            write_stamp(start_cycles_[next_], std::span(outgoing_).subspan(bytes.size()));
            transport.send_copy(chip, send->peer, send->tag, outgoing_);
            // Consecutive sends (a stage hop's blocks, a collective's step) leave in one write per process.
            const bool more_sends = next_ + 1 < program_.instructions.size() &&
                                    std::holds_alternative<plan::Send>(program_.instructions[next_ + 1].body);
            if (!more_sends) {
                transport.flush();
                if (sent) sent();
            }
        } else if (const auto* recv = std::get_if<plan::Recv>(&instruction.body)) {
            const auto target = buffers_.at(recv->buffer).subspan(static_cast<std::size_t>(recv->offset_bytes),
                                                                  static_cast<std::size_t>(recv->bytes));
            // Not arrived: the transport may put the message straight into
            // `incoming_`, which stays as it is while this chip waits here
            // (resized to the same size when it comes back to this Recv).
            incoming_.resize(target.size() + kStampBytes);
            if (!transport.try_recv_into(chip, recv->peer, recv->tag, incoming_)) break;
            std::memcpy(target.data(), incoming_.data(), target.size());
            const std::int64_t send_cycle = read_stamp(std::span(incoming_).subspan(target.size()));
            keep_time(chip::OpKind::Transfer, 0, send_cycle + plan::arrival_latency_cycles(plan_, *recv));
        } else {
            // Deskew points and barriers order time, not data: the chip only waits out their pads.
            keep_time(chip::OpKind::Stall, plan::instruction_duration(instruction.body));
        }
        ++next_;
    }
    return next_ != start;
}

void ChipRunner::execute(const plan::Compute& compute) {
    const auto in = [&](std::size_t i) { return floats(compute.inputs.at(i)).data(); };
    const auto out = [&](std::size_t i) { return floats(compute.outputs.at(i)).data(); };
    const auto& shape = compute.shape;
    const auto dim = [&](std::size_t i) { return shape.at(i); };
    switch (compute.op) {
        case plan::OpKind::embed: {
            const std::int64_t begin = dim(0), end = dim(1);
            require(static_cast<std::size_t>(dim(2)) < tokens_.size(), [&] {
                return "chip " + std::to_string(program_.chip) + ": embed of sequence " + std::to_string(dim(2)) +
                       ", but the step has " + std::to_string(tokens_.size()) + " tokens";
            });
            const int token = tokens_[static_cast<std::size_t>(dim(2))];
            float* x = out(0);
            if (token >= begin && token < end) {
                kernels::dequantize_row(matrix(compute.inputs.at(0)), token - begin, x);
            } else {
                std::fill_n(x, config_.dim, 0.0f);
            }
            break;
        }
        case plan::OpKind::rmsnorm: kernels::rmsnorm(out(0), in(0), in(1), dim(0), config_.rms_norm_eps); break;
        case plan::OpKind::matmul:
        case plan::OpKind::lm_head: kernels::matvec(matrix(compute.inputs.at(0)), in(1), out(0), pool_); break;
        case plan::OpKind::rope: {
            const int position = position_of(compute);
            const auto head_dim = static_cast<int>(dim(2));
            const kernels::RopeParams params{config_.rope_theta, config_.rope_freq_scale, config_.rope_pairing,
                                             compute.inputs.size() > 2 ? in(2) : nullptr};
            kernels::rope(out(0), static_cast<int>(dim(0)), head_dim, position, params);
            kernels::rope(out(1), static_cast<int>(dim(1)), head_dim, position, params);
            break;
        }
        case plan::OpKind::attention: {
            const int position = position_of(compute);
            const kernels::AttentionHeads heads{static_cast<int>(dim(0)), static_cast<int>(dim(1)),
                                                static_cast<int>(dim(2)), static_cast<int>(dim(3)),
                                                static_cast<int>(dim(4))};
            const std::int64_t stride = std::int64_t{heads.kv_head_count()} * heads.head_dim;
            float* keys = floats(compute.inputs.at(3)).data();
            float* values = floats(compute.inputs.at(4)).data();
            const std::size_t row = static_cast<std::size_t>(position) * static_cast<std::size_t>(stride);
            require(row + static_cast<std::size_t>(stride) <= floats(compute.inputs.at(3)).size(), [&] {
                return "position " + std::to_string(position) + " is beyond the KV cache of chip " +
                       std::to_string(program_.chip);
            });
            std::copy_n(in(1), stride, keys + row);
            std::copy_n(in(2), stride, values + row);
            require(kernels::attention_scratch_floats(heads.head_count, position + 1) <=
                            floats(compute.inputs.at(5)).size(),
                    [&] {
                        return "position " + std::to_string(position) + " needs more attention scratch than chip " +
                               std::to_string(program_.chip) + " holds";
                    });
            const kernels::KvCacheView cache{keys, values, stride, position + 1};
            kernels::attention(in(0), cache, heads, out(0), floats(compute.inputs.at(5)).data(), pool_);
            break;
        }
        case plan::OpKind::swiglu: kernels::swiglu(out(0), in(1), dim(0)); break;
        case plan::OpKind::add: {
            float* target = floats(compute.inputs.at(0)).data() + dim(0);
            const float* source = floats(compute.inputs.at(1)).data() + dim(1);
            for (std::int64_t i = 0; i < dim(2); ++i) target[i] += source[i];
            break;
        }
        case plan::OpKind::route: {
            const auto experts = static_cast<std::size_t>(dim(0));
            routing_ = kernels::route_token(floats(compute.inputs.at(0)).first(experts), static_cast<int>(dim(1)));
            count_route(expert_load_, static_cast<int>(dim(2)), static_cast<int>(experts), routing_);
            break;
        }
        case plan::OpKind::expert_matmul: {
            const auto slot = static_cast<std::size_t>(dim(2));
            require(slot < routing_.size(), [&] {
                return "chip " + std::to_string(program_.chip) + ": an expert op of slot " + std::to_string(slot) +
                       " before a route that fills it";
            });
            const kernels::ExpertChoice& choice = routing_[slot];
            kernels::matvec(expert_matrices(compute.inputs.at(0))[static_cast<std::size_t>(choice.expert)], in(1), out(0),
                            pool_);
            if (dim(3) == 1) {
                float* y = out(0);
                for (std::int64_t i = 0; i < dim(0); ++i) y[i] *= choice.weight;
            }
            break;
        }
    }
}

}  // namespace lpu::engine
