// Writes a seed corpus for every fuzz target into DIR/<target>/: valid inputs
// made by the project's own writers (a synthetic GGUF, a compiled plan,
// topology files in both forms, a chip spec, the streams of a TCP run's
// worker and coordinator), so that the fuzzers start from
// files that get deep into each reader. scripts/fuzz adds the shared real models.
//   make_seeds DIR
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/output_file.hpp"
#include "fuzz/seed_model.hpp"
#include "launch/tcp/frame.hpp"
#include "launch/tcp/handshake.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_io.hpp"
#include "topology/topology_spec.hpp"

namespace {

using Path = std::filesystem::path;

Path target_dir(const Path& root, const std::string& target) {
    const Path dir = root / target;
    std::filesystem::create_directories(dir);
    return dir;
}

void write_topologies(const Path& root) {
    for (const std::string spec : {"fc:4", "ring:5", "torus:3x3", "mesh:2x2x2", "dragonfly:1"}) {
        const auto topology = lpu::topology::topology_from_spec(spec);
        std::string name = spec;
        for (char& c : name) c = c == ':' ? '-' : c;
        lpu::write_file((target_dir(root, "topology_json_fuzz") / (name + ".json")).string(),
                        lpu::topology::topology_to_json_text(topology));
        lpu::write_file((target_dir(root, "topology_binary_fuzz") / (name + ".topo.bin")).string(),
                        lpu::topology::topology_to_capnp_bytes(topology));
    }
}

// A llama2.c "version 0" checkpoint of the smallest shape: the header's seven
// int32 fields, then every F32 array the reader expects, so the file is exactly
// the size the header implies (libFuzzer would hardly find such a file alone).
void write_llama2c_checkpoint(const Path& root) {
    const std::int32_t dim = 8, hidden = 16, layers = 1, heads = 2, kv_heads = 1, vocab = 32, seq_len = 4;
    const std::int32_t kv_dim = dim / heads * kv_heads;
    const std::int64_t floats = vocab * dim + layers * (2 * dim + 2 * dim * dim + 2 * kv_dim * dim + 3 * hidden * dim) +
                                dim + 2 * (seq_len * (dim / heads) / 2);
    std::string bytes;
    for (const std::int32_t field : {dim, hidden, layers, heads, kv_heads, vocab, seq_len}) {
        bytes.append(reinterpret_cast<const char*>(&field), sizeof field);
    }
    for (std::int64_t i = 0; i < floats; ++i) {
        const float weight = static_cast<float>(i % 7) * 0.125f - 0.375f;
        bytes.append(reinterpret_cast<const char*>(&weight), sizeof weight);
    }
    lpu::write_file((target_dir(root, "llama2c_model_fuzz") / "tiny.bin").string(), bytes);
}

// A plan of `tp` x `pp` chips on fc:2 for a model of `config` known by `fingerprint`.
lpu::plan::Plan seed_plan(const lpu::model::ModelConfig& config, const lpu::plan::ModelFingerprint& fingerprint, int tp,
                          int pp) {
    const std::string topology_name = "fc:2";
    const auto topology = lpu::topology::topology_from_spec(topology_name);
    const auto spec = lpu::sim::chip_spec_preset("tsp-v1");
    lpu::compiler::CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.positions = 16;
    return lpu::compiler::compile_plan(config, fingerprint, {&topology, topology_name, &spec}, options);
}

void write_models_and_plans(const Path& root) {
    const auto shape = lpu::fuzz::seed_model_shape();
    lpu::model::write_synthetic_model(shape, (target_dir(root, "gguf_model_fuzz") / "tiny.gguf").string());
    // The same shape as qwen2 with a byte-level BPE vocabulary: pre-tokenizer, ChatML tokens and
    // (past the 256 bytes and the control tokens) a few dozen merges.
    auto bpe_shape = shape;
    bpe_shape.architecture = lpu::model::Architecture::Qwen2;
    bpe_shape.tokenizer = lpu::model::TokenizerModel::BytePairs;
    bpe_shape.vocab_size = 300;
    lpu::model::write_synthetic_model(bpe_shape, (target_dir(root, "gguf_model_fuzz") / "tiny-bpe.gguf").string());
    const auto config = lpu::model::synthetic_config(shape);
    for (const auto& [tp, pp] : {std::pair{2, 1}, std::pair{1, 2}}) {
        lpu::plan::save_plan(seed_plan(config, lpu::compiler::shape_fingerprint(config), tp, pp),
                             (target_dir(root, "plan_file_fuzz") /
                              ("tp" + std::to_string(tp) + "-pp" + std::to_string(pp) + ".lpuplan"))
                                 .string());
    }
}

// What a TCP connection carries (tcp_frame_fuzz): a first byte that picks the
// reader (odd: a worker) and its read size, then frames.
class Stream {
public:
    Stream(bool worker, std::uint8_t read_size) {
        bytes_.push_back(static_cast<std::byte>((read_size - 1) << 1 | (worker ? 1 : 0)));
    }
    // The message `fill` makes, framed, with `payload` after it.
    template <class Fill>
    Stream& add(Fill&& fill, std::span<const std::byte> payload = {}) {
        capnp::MallocMessageBuilder message;
        fill(message.initRoot<lpu::schema::WireMessage>());
        lpu::launch::tcp::append_frame(bytes_, message, payload);
        return *this;
    }
    void write(const Path& path) const {
        lpu::write_file(path.string(), std::string(reinterpret_cast<const char*>(bytes_.data()), bytes_.size()));
    }

private:
    std::vector<std::byte> bytes_;
};

// A worker's stream from the coordinator (a job for the seed model, a hello,
// a chip message, a step, the end) and a coordinator's from a worker.
void write_tcp_streams(const Path& root) {
    namespace tcp = lpu::launch::tcp;
    using Message = lpu::schema::WireMessage::Builder;
    const Path model_path = root / "tcp-seed-model.gguf";
    lpu::model::write_synthetic_model(lpu::fuzz::seed_model_shape(), model_path.string());
    const auto file = lpu::model::open_model(model_path.string());
    std::filesystem::remove(model_path);
    const auto plan = seed_plan(file->config(), lpu::compiler::model_fingerprint(*file), 2, 1);
    const tcp::JobPlacement placement{1, 3, {"", "127.0.0.1:7001", "127.0.0.1:7002"}, {1, 2}, 1};
    const std::string spec = lpu::sim::to_json(lpu::sim::chip_spec_preset("tsp-v1")).dump();
    const std::vector<std::byte> payload(16, std::byte{7});
    const Path dir = target_dir(root, "tcp_frame_fuzz");
    for (const std::uint8_t read_size : {1, 128}) {
        Stream(true, read_size)
            .add([&](Message m) { tcp::build_job(m.initJob(), lpu::plan::plan_to_bytes(plan), spec, placement); })
            .add([&](Message m) {
                auto hello = m.initHello();
                hello.setProtocolVersion(tcp::protocol_version);
                hello.setRank(2);
                hello.setPlanHash(plan.model.hash);
            })
            .add([&](Message m) {
                     auto chip = m.initChipMessage();
                     chip.setSrc(1);
                     chip.setDst(0);
                     chip.setTag(42);
                     chip.setPayloadBytes(payload.size());
                 },
                 payload)
            .add([](Message m) {
                auto step = m.initStep();
                step.initTokens(1).set(0, 1);
                step.initPositions(1).set(0, 0);
            })
            .add([](Message m) { m.setHeartbeat(); })
            .add([](Message m) {
                auto finish = m.initFinish();
                finish.setSeed(1);
                finish.setPositions(1);
            })
            .add([](Message m) { m.setDone(); })
            .write(dir / ("worker-" + std::to_string(read_size) + ".bin"));
    }
    const std::vector<float> logits = {0.5f, -1.0f, 2.0f, 0.0f};
    Stream(false, 64)
        .add([](Message m) { m.setReady(); })
        .add([&](Message m) {
            m.setLogits(kj::arrayPtr(reinterpret_cast<const capnp::byte*>(logits.data()), logits.size() * sizeof(float)));
        })
        .add([](Message m) { m.setReport("{\"chips\": []}"); })
        .add([](Message m) { m.setRefuse("the plan was compiled for another model"); })
        .add([](Message m) { m.setAbort("rank 2 failed"); })
        .write(dir / "coordinator.bin");
}

void write_chip_specs(const Path& root) {
    for (const auto& name : lpu::sim::chip_spec_preset_names()) {
        lpu::write_file((target_dir(root, "chip_spec_fuzz") / (name + ".json")).string(),
                        lpu::sim::to_json(lpu::sim::chip_spec_preset(name)).dump(2));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_seeds DIR\n";
        return 2;
    }
    try {
        const Path root = argv[1];
        write_topologies(root);
        write_models_and_plans(root);
        write_llama2c_checkpoint(root);
        write_chip_specs(root);
        write_tcp_streams(root);
    } catch (const std::exception& e) {
        std::cerr << "make_seeds: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
