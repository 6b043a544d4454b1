// Writes a seed corpus for every fuzz target into DIR/<target>/: valid inputs
// made by the project's own writers (a synthetic GGUF, a compiled plan,
// topology files in both forms, a chip spec), so that the fuzzers start from
// files that get deep into each reader. scripts/fuzz adds the shared real models.
//   make_seeds DIR
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "base/output_file.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
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

void write_models_and_plans(const Path& root) {
    // Small on purpose: a seed of a few KiB is mutated and read thousands of times a second.
    auto shape = lpu::model::synthetic_preset("tiny");
    shape.dim = 16;
    shape.hidden_dim = 32;
    shape.n_heads = 2;
    shape.n_kv_heads = 1;
    shape.n_layers = 2;
    shape.vocab_size = 259;
    shape.context_length = 16;
    lpu::model::write_synthetic_model(shape, (target_dir(root, "gguf_model_fuzz") / "tiny.gguf").string());

    const auto config = lpu::model::synthetic_config(shape);
    const auto spec = lpu::sim::chip_spec_preset("tsp-v1");
    for (const auto& [tp, pp] : {std::pair{2, 1}, std::pair{1, 2}}) {
        const std::string topology_name = "fc:2";
        const auto topology = lpu::topology::topology_from_spec(topology_name);
        lpu::compiler::CompileOptions options;
        options.tp = tp;
        options.pp = pp;
        options.positions = 16;
        const auto plan = lpu::compiler::compile_plan(config, lpu::compiler::shape_fingerprint(config),
                                                      {&topology, topology_name, &spec}, options);
        lpu::plan::save_plan(plan, (target_dir(root, "plan_file_fuzz") /
                                    ("tp" + std::to_string(tp) + "-pp" + std::to_string(pp) + ".lpuplan"))
                                       .string());
    }
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
    } catch (const std::exception& e) {
        std::cerr << "make_seeds: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
