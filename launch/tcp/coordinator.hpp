#pragma once
// The coordinator side of a TCP run (`lpu run --workers A,B,...`): rank 0 of
// the job. It connects to every worker, sends each its job (the plan file,
// the chip spec, every worker's address and which rank runs which chip), waits
// until all have loaded their chips and connected to each other, and then
// drives the steps: CoordinatedModel sends each step's tokens to the workers
// before running its own chips, so the generation loop runs here alone.
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "launch/rank_placement.hpp"
#include "launch/tcp/tcp_mesh.hpp"
#include "plan/plan.hpp"
#include "runtime/engine/language_model.hpp"
#include "sim/chip/chip_spec.hpp"

namespace lpu::launch::tcp {

class TcpCluster {
public:
    // Throws lpu::Error when a worker cannot be reached within `connect_seconds`
    // or refuses its job (naming it and why).
    TcpCluster(const std::vector<std::string>& workers, const plan::Plan& plan, const sim::ChipSpec& spec,
               double connect_seconds = 10.0);
    ~TcpCluster();  // tells the workers the run is over

    TcpMesh& mesh() { return *mesh_; }
    const ChipLayout& layout() const { return layout_; }
    const std::vector<bool>& local_chips() const { return local_; }
    int workers() const { return static_cast<int>(names_.size()); }
    // After the last step: every worker runs the fabric for its chips and
    // sends its figures (TcpMesh::next_fabric_figures).
    void start_fabric(const FabricRequest& request);

private:
    asio::io_context io_;
    std::vector<std::string> names_;
    ChipLayout layout_;
    std::vector<bool> local_;
    std::unique_ptr<TcpMesh> mesh_;
};

// A model whose every step starts on the workers too.
class CoordinatedModel : public engine::LanguageModel {
public:
    CoordinatedModel(engine::LanguageModel& inner, TcpCluster& cluster) : inner_(inner), cluster_(cluster) {}

    const model::ModelConfig& config() const override { return inner_.config(); }
    int max_positions() const override { return inner_.max_positions(); }
    std::span<float> forward(int token, int position) override;
    std::int64_t last_forward_cycles() const override { return inner_.last_forward_cycles(); }
    double clock_hz() const override { return inner_.clock_hz(); }
    int batch_size() const override { return inner_.batch_size(); }
    std::vector<std::span<float>> forward_batch(std::span<const int> tokens, int position) override;
    std::int64_t last_step_period_cycles() const override { return inner_.last_step_period_cycles(); }

private:
    engine::LanguageModel& inner_;
    TcpCluster& cluster_;
};

}  // namespace lpu::launch::tcp
