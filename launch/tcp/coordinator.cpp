#include "launch/tcp/coordinator.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "launch/host_threads.hpp"
#include "launch/tcp/endpoint.hpp"
#include "launch/tcp/handshake.hpp"
#include "plan/plan_io.hpp"

namespace lpu::launch::tcp {
namespace {

// The workers split the plan's chips as ranks 1..W (rank 0, the coordinator, runs none).
RankOfChip worker_placement(const plan::Plan& plan, int workers) {
    RankOfChip placement = place_chips_on_ranks(plan, std::vector<int>(static_cast<std::size_t>(workers), 0));
    for (int& rank : placement.rank) ++rank;
    return placement;
}

}  // namespace

TcpCluster::TcpCluster(const std::vector<std::string>& workers, const plan::Plan& plan, const sim::ChipSpec& spec,
                       const PeerLiveness& liveness)
    : chip_count_(plan.chips.size()) {
    require(!workers.empty(), "--workers needs at least one HOST:PORT");
    const int ranks = static_cast<int>(workers.size()) + 1;
    std::vector<Endpoint> endpoints;
    std::map<std::string, int> host_index;
    std::vector<int> rank_hosts = {-1};  // the coordinator computes nothing
    for (const auto& text : workers) {
        endpoints.push_back(parse_endpoint(text));
        rank_hosts.push_back(host_index.emplace(host_key(endpoints.back()), static_cast<int>(host_index.size())).first->second);
    }
    const RankOfChip placement_by_chip = worker_placement(plan, static_cast<int>(workers.size()));
    layout_ = chip_layout(plan, placement_by_chip);
    inbox_.take_logits_from(layout_.head_rank);
    mesh_ = std::make_unique<TcpMesh>(0, liveness, inbox_);

    asio::io_context io;
    const auto deadline = std::chrono::steady_clock::now() + liveness.timeout();
    for (std::size_t w = 0; w < endpoints.size(); ++w) {
        const std::string name = "worker " + std::to_string(w + 1) + " (" + endpoints[w].text() + ")";
        mesh_->add_peer(static_cast<int>(w + 1), connect_to(io, endpoints[w], name, deadline), name);
    }
    const std::string plan_bytes = plan::plan_to_bytes(plan);
    const std::string spec_json = sim::to_json(spec).dump();
    JobPlacement placement{0, ranks, {""}, layout_.rank_of_chip, 1};
    placement.endpoints.insert(placement.endpoints.end(), workers.begin(), workers.end());
    for (std::size_t w = 0; w < endpoints.size(); ++w) {
        placement.rank = static_cast<int>(w + 1);
        placement.sharing_cores = processes_computing_with(plan, placement_by_chip, rank_hosts, placement.rank);
        capnp::MallocMessageBuilder message;
        build_job(message.initRoot<schema::WireMessage>().initJob(), plan_bytes, spec_json, placement);
        mesh_->send(placement.rank, message);
    }
    inbox_.wait_ready(*mesh_, static_cast<int>(workers.size()));
}

TcpCluster::~TcpCluster() {
    if (mesh_ && !mesh_->failed()) mesh_->say_goodbye();  // after a failure the workers heard why instead
}

std::span<float> CoordinatedModel::forward(int token, int position) {
    const int tokens[] = {token};
    const int positions[] = {position};
    return forward_batch(tokens, positions).front();
}

std::vector<std::span<float>> CoordinatedModel::forward_batch(std::span<const int> tokens,
                                                              std::span<const int> positions) {
    send_step(cluster_.mesh(), tokens, positions);
    return inner_.forward_batch(tokens, positions);
}

}  // namespace lpu::launch::tcp
