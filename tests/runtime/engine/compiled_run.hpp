#pragma once
// A model compiled for tp x pp chips (and `batch` sequences per step) on the
// default topology for that many chips, run in this process: what the engine
// tests execute plans on.
#include <algorithm>
#include <cmath>
#include <memory>
#include <span>

#include "launch/inprocess/in_process_transport.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::test {

// How far `got` is from `want`: the largest absolute difference, and the
// largest |want| to measure it against.
struct LogitsDifference {
    double error = 0.0;
    double norm = 0.0;
};

inline LogitsDifference logits_difference(std::span<const float> got, std::span<const float> want) {
    LogitsDifference difference;
    for (std::size_t i = 0; i < want.size(); ++i) {
        difference.error = std::max(difference.error, std::abs(static_cast<double>(got[i]) - want[i]));
        difference.norm = std::max(difference.norm, std::abs(static_cast<double>(want[i])));
    }
    return difference;
}

struct CompiledRun {
    topology::Topology topology;
    sim::ChipSpec spec;
    launch::inprocess::InProcessTransport transport;
    std::unique_ptr<engine::PlanModel> model;

    CompiledRun(const model::ModelFile& file, int tp, int pp, int positions, int batch = 1)
        : topology(topology::topology_from_spec(compiler::default_topology_spec(tp * pp))),
          spec(sim::chip_spec_preset("tsp-v1")) {
        compiler::CompileOptions options;
        options.tp = tp;
        options.pp = pp;
        options.batch = batch;
        options.positions = positions;
        auto plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file),
                                           {&topology, compiler::default_topology_spec(tp * pp), &spec}, options);
        model = std::make_unique<engine::PlanModel>(std::move(plan), file, spec, transport);
    }
};

}  // namespace lpu::test
