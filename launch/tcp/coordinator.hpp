#pragma once
// The coordinator side of a TCP run (`lpu run --workers A,B,...`): rank 0 of
// the job. It runs the generation loop and no chip of the plan: the workers
// split the chips as mpirun's ranks would (launch/rank_placement.hpp), so a
// TP group stays inside one worker wherever the counts allow, and the
// coordinator's cores stay free for the workers beside it. It keeps the
// clocks of the topology's chips outside the plan, for the fabric figures.
//
// It connects to every worker, sends each its job (the plan file, the chip
// spec, every worker's address, which rank runs which chip, how many workers
// on its host compute when it does), and waits until all have loaded their chips and connected
// to each other; then CoordinatedModel sends each step's tokens to the
// workers and takes the logits from the head chip's worker.
#include <memory>
#include <string>
#include <vector>

#include "launch/peer_liveness.hpp"
#include "launch/rank_placement.hpp"
#include "launch/tcp/run_protocol.hpp"
#include "launch/tcp/tcp_mesh.hpp"
#include "plan/plan.hpp"
#include "runtime/engine/language_model.hpp"
#include "sim/chip/chip_spec.hpp"

namespace lpu::launch::tcp {

class TcpCluster {
public:
    // Throws lpu::Error when a worker cannot be reached within the peer
    // timeout (it may still be starting: refused connections are retried),
    // refuses its job (naming it and why), or fails.
    TcpCluster(const std::vector<std::string>& workers, const plan::Plan& plan, const sim::ChipSpec& spec,
               const PeerLiveness& liveness);
    ~TcpCluster();  // tells the workers the run is over (unless it failed)

    TcpMesh& mesh() { return *mesh_; }
    RunInbox& inbox() { return inbox_; }
    const ChipLayout& layout() const { return layout_; }
    // None: the coordinator runs no chip of the plan.
    std::vector<bool> local_chips() const { return std::vector<bool>(chip_count_, false); }
    int workers() const { return static_cast<int>(mesh_->peers().size()); }

private:
    RunInbox inbox_{0};
    std::unique_ptr<TcpMesh> mesh_;
    ChipLayout layout_;
    std::size_t chip_count_ = 0;
};

// A model whose every step starts on the workers.
class CoordinatedModel : public engine::LanguageModel {
public:
    CoordinatedModel(engine::LanguageModel& inner, TcpCluster& cluster) : inner_(inner), cluster_(cluster) {}

    const model::ModelConfig& config() const override { return inner_.config(); }
    int max_positions() const override { return inner_.max_positions(); }
    std::span<float> forward(int token, int position) override;
    std::int64_t last_forward_cycles() const override { return inner_.last_forward_cycles(); }
    double clock_hz() const override { return inner_.clock_hz(); }
    int batch_size() const override { return inner_.batch_size(); }
    std::vector<std::span<float>> forward_batch(std::span<const int> tokens, std::span<const int> positions) override;
    std::int64_t last_step_period_cycles() const override { return inner_.last_step_period_cycles(); }

private:
    engine::LanguageModel& inner_;
    TcpCluster& cluster_;
};

}  // namespace lpu::launch::tcp
