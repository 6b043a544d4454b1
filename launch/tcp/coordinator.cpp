#include "launch/tcp/coordinator.hpp"

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "launch/tcp/endpoint.hpp"
#include "plan/plan_io.hpp"

namespace lpu::launch::tcp {
namespace {

using asio::ip::tcp;

// Workers may still be starting: connection refusals are retried until the deadline.
tcp::socket connect(asio::io_context& io, const Endpoint& endpoint, double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        tcp::socket socket(io);
        asio::error_code error;
        asio::connect(socket, tcp::resolver(io).resolve(endpoint.host, std::to_string(endpoint.port), error), error);
        if (!error) return socket;
        if (std::chrono::steady_clock::now() > deadline) {
            throw Error("cannot reach worker " + endpoint.text() + ": " + error.message());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace

TcpCluster::TcpCluster(const std::vector<std::string>& workers, const plan::Plan& plan, const sim::ChipSpec& spec,
                       double connect_seconds) {
    require(!workers.empty(), "--workers needs at least one HOST:PORT");
    const int ranks = static_cast<int>(workers.size()) + 1;
    const RankOfChip placement = place_chips_on_ranks(plan, std::vector<int>(static_cast<std::size_t>(ranks), 0));
    layout_ = chip_layout(plan, placement);
    local_ = chips_of_rank(placement, 0);

    std::vector<tcp::socket> sockets;
    for (const auto& text : workers) {
        const Endpoint endpoint = parse_endpoint(text);
        names_.push_back("worker " + std::to_string(names_.size() + 1) + " (" + endpoint.text() + ")");
        sockets.push_back(connect(io_, endpoint, connect_seconds));
    }
    const std::string plan_bytes = plan::plan_to_bytes(plan);
    const std::string spec_json = sim::to_json(spec).dump();
    for (std::size_t w = 0; w < sockets.size(); ++w) {
        capnp::MallocMessageBuilder message;
        auto job = message.initRoot<schema::WireMessage>().initJob();
        job.setProtocolVersion(protocol_version);
        job.setRank(static_cast<std::uint32_t>(w + 1));
        job.setRanks(static_cast<std::uint32_t>(ranks));
        job.setPlan(kj::arrayPtr(reinterpret_cast<const kj::byte*>(plan_bytes.data()), plan_bytes.size()));
        job.setChipSpec(spec_json);
        auto endpoints = job.initEndpoints(static_cast<unsigned>(ranks));
        for (std::size_t r = 1; r < static_cast<std::size_t>(ranks); ++r) {
            endpoints.set(static_cast<unsigned>(r), workers[r - 1]);
        }
        auto rank_of_chip = job.initRankOfChip(static_cast<unsigned>(layout_.rank_of_chip.size()));
        for (std::size_t c = 0; c < layout_.rank_of_chip.size(); ++c) {
            rank_of_chip.set(static_cast<unsigned>(c), layout_.rank_of_chip[c]);
        }
        write_frame(sockets[w], message, names_[w]);
    }
    for (std::size_t w = 0; w < sockets.size(); ++w) {
        Frame frame = read_frame(sockets[w], names_[w]);
        const auto message = frame.message();
        if (message.isRefuse()) throw Error(names_[w] + " refused the job: " + message.getRefuse().cStr());
        if (message.isAbort()) throw Error(names_[w] + " failed: " + message.getAbort().cStr());
        require(message.isReady(), names_[w] + " answered the job with an unexpected message");
    }
    mesh_ = std::make_unique<TcpMesh>(0);
    for (std::size_t w = 0; w < sockets.size(); ++w) {
        mesh_->add_peer(static_cast<int>(w + 1), std::move(sockets[w]), names_[w]);
    }
}

TcpCluster::~TcpCluster() {
    if (mesh_) mesh_->say_goodbye();
}

void TcpCluster::start_fabric(const FabricRequest& request) {
    capnp::MallocMessageBuilder message;
    auto fabric = message.initRoot<schema::WireMessage>().initFabric();
    fabric.setSeed(request.seed);
    fabric.setPositions(request.positions);
    for (int rank = 1; rank <= workers(); ++rank) mesh_->send(rank, message);
}

std::span<float> CoordinatedModel::forward(int token, int position) {
    const int tokens[] = {token};
    return forward_batch(tokens, position).front();
}

std::vector<std::span<float>> CoordinatedModel::forward_batch(std::span<const int> tokens, int position) {
    capnp::MallocMessageBuilder message;
    auto step = message.initRoot<schema::WireMessage>().initStep();
    step.setPosition(position);
    auto list = step.initTokens(static_cast<unsigned>(tokens.size()));
    for (std::size_t i = 0; i < tokens.size(); ++i) list.set(static_cast<unsigned>(i), tokens[i]);
    for (int rank = 1; rank <= cluster_.workers(); ++rank) cluster_.mesh().send(rank, message);
    return inner_.forward_batch(tokens, position);
}

}  // namespace lpu::launch::tcp
