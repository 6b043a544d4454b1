#include "launch/tcp/worker.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "launch/rank_placement.hpp"
#include "launch/run_fabric.hpp"
#include "launch/tcp/endpoint.hpp"
#include "launch/tcp/tcp_mesh.hpp"
#include "launch/tcp/tcp_transport.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/engine/plan_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::launch::tcp {
namespace {

using asio::ip::tcp;

void send_simple(tcp::socket& socket, const std::string& peer, const std::function<void(schema::WireMessage::Builder)>& fill) {
    capnp::MallocMessageBuilder message;
    fill(message.initRoot<schema::WireMessage>());
    write_frame(socket, message, peer);
}

void write_port_file(const std::string& path, std::uint16_t port) {
    const std::string temporary = path + ".tmp";
    std::ofstream(temporary) << port << "\n";
    std::filesystem::rename(temporary, path);  // readers never see half a file
}

struct Job {
    plan::Plan plan;
    sim::ChipSpec spec;
    int rank = 0;
    int ranks = 0;
    std::vector<std::string> endpoints;
    std::vector<int> rank_of_chip;
};

// Reads and checks the job; refuses it (telling the coordinator why) when it is not for this worker.
Job take_job(tcp::socket& coordinator, const model::ModelFile& file) {
    const std::string peer = "the coordinator";
    Frame frame = read_frame(coordinator, peer);
    const auto message = frame.message();
    require(message.isJob(), "the coordinator's first message is not a job");
    const auto job = message.getJob();
    try {
        require(job.getProtocolVersion() == protocol_version,
                "the coordinator speaks protocol " + std::to_string(job.getProtocolVersion()) + ", this worker " +
                    std::to_string(protocol_version));
        const auto plan_bytes = job.getPlan();
        Job taken;
        taken.plan = plan::plan_from_bytes(
            std::string_view(reinterpret_cast<const char*>(plan_bytes.begin()), plan_bytes.size()), "the job's plan");
        taken.spec = sim::chip_spec_from_json(nlohmann::json::parse(job.getChipSpec().cStr()), "the job's chip spec");
        const auto topology = topology::topology_from_spec(taken.plan.system.topology);
        plan::check_fingerprint(taken.plan, compiler::model_fingerprint(file),
                                compiler::system_fingerprint(topology, taken.plan.system.topology, taken.spec));
        taken.rank = static_cast<int>(job.getRank());
        taken.ranks = static_cast<int>(job.getRanks());
        for (auto endpoint : job.getEndpoints()) taken.endpoints.emplace_back(endpoint.cStr());
        for (int rank : job.getRankOfChip()) taken.rank_of_chip.push_back(rank);
        require(taken.rank >= 1 && taken.rank < taken.ranks && taken.endpoints.size() == static_cast<std::size_t>(taken.ranks),
                "the job's ranks are inconsistent");
        return taken;
    } catch (const std::exception& e) {
        send_simple(coordinator, peer, [&](auto root) { root.setRefuse(e.what()); });
        throw Error(std::string("refused the job: ") + e.what());
    }
}

void say_hello(tcp::socket& socket, const std::string& peer, const Job& job) {
    send_simple(socket, peer, [&](auto root) {
        auto hello = root.initHello();
        hello.setProtocolVersion(protocol_version);
        hello.setRank(static_cast<std::uint32_t>(job.rank));
        hello.setPlanHash(job.plan.model.hash);
    });
}

// The rank of a worker that connected to this one, after checking its hello.
int hear_hello(tcp::socket& socket, const Job& job) {
    Frame frame = read_frame(socket, "a connecting worker");
    const auto message = frame.message();
    require(message.isHello(), "a worker connected without a hello");
    const auto hello = message.getHello();
    require(hello.getProtocolVersion() == protocol_version && hello.getPlanHash() == job.plan.model.hash,
            "a worker of another run (protocol or model differs) connected");
    const int rank = static_cast<int>(hello.getRank());
    require(rank > job.rank && rank < job.ranks, "a worker announced rank " + std::to_string(rank));
    return rank;
}

// This worker's share of the fabric figures, to the coordinator.
void report_fabric(TcpMesh& mesh, const plan::Plan& plan, const topology::Topology& topology,
                   const sim::ChipSpec& spec, const FabricRequest& request, const std::vector<int>& fabric_ranks,
                   int rank, collectives::Transport& transport) {
    const sim::FabricFigures figures = hosted_fabric_figures(
        plan, topology, spec, run_fabric_config(request.seed, request.positions), fabric_ranks, rank, transport);
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().setFabricFigures(fabric_json(figures).dump());
    mesh.send(0, message);
}

}  // namespace

void run_worker(const model::ModelFile& file, const WorkerOptions& options) {
    const Endpoint listen = parse_endpoint(options.listen);
    require(options.allow_remote || is_loopback(listen.host),
            "--listen " + options.listen + " is not a loopback address: a worker runs whatever its coordinator sends, "
            "so listening on the network needs --allow-remote");
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address(listen.host), listen.port));
    const std::uint16_t port = acceptor.local_endpoint().port();
    std::fprintf(stderr, "lpu worker: listening on %s:%u\n", listen.host.c_str(), port);
    if (!options.port_file.empty()) write_port_file(options.port_file, port);

    tcp::socket coordinator = acceptor.accept();
    const Job job = take_job(coordinator, file);
    TcpMesh mesh(job.rank);
    mesh.add_peer(0, std::move(coordinator), "the coordinator");
    for (int peer = 1; peer < job.rank; ++peer) {
        const Endpoint endpoint = parse_endpoint(job.endpoints[static_cast<std::size_t>(peer)]);
        tcp::socket socket(io);
        asio::connect(socket, tcp::resolver(io).resolve(endpoint.host, std::to_string(endpoint.port)));
        const std::string name = "worker " + std::to_string(peer) + " (" + endpoint.text() + ")";
        say_hello(socket, name, job);
        mesh.add_peer(peer, std::move(socket), name);
    }
    for (int accepted = job.rank + 1; accepted < job.ranks; ++accepted) {
        tcp::socket socket = acceptor.accept();
        const int peer = hear_hello(socket, job);
        mesh.add_peer(peer, std::move(socket),
                      "worker " + std::to_string(peer) + " (" + job.endpoints[static_cast<std::size_t>(peer)] + ")");
    }

    std::vector<bool> local(job.plan.chips.size());
    int head_rank = 0;
    for (std::size_t c = 0; c < job.plan.chips.size(); ++c) {
        const int rank = job.rank_of_chip.at(job.plan.chips[c].chip);
        local[c] = rank == job.rank;
        const auto& role = job.plan.chips[c].role;
        if (role.tp_rank == 0 && role.pp_stage + 1 == job.plan.grid.pp) head_rank = rank;
    }
    const topology::Topology topology = topology::topology_from_spec(job.plan.system.topology);
    // Chips outside the plan keep time for the fabric on rank 0.
    const std::vector<int> fabric_ranks = fabric_rank_of_chip({job.rank_of_chip, head_rank}, topology.chip_count());
    TcpTransport transport(mesh, fabric_ranks);
    LogitsToCoordinator broadcast(mesh, head_rank);
    engine::PlanModel model(job.plan, file, job.spec, transport, {local, &broadcast});
    {
        capnp::MallocMessageBuilder ready;
        ready.initRoot<schema::WireMessage>().setReady();
        mesh.send(0, ready);
    }
    std::fprintf(stderr, "lpu worker: rank %d of %d runs %zu chips\n", job.rank, job.ranks, model.chips().size());
    while (const auto step = mesh.next_step()) {
        if (step->fabric) {
            report_fabric(mesh, model.plan(), topology, job.spec, *step->fabric, fabric_ranks, job.rank, transport);
        } else {
            model.forward_batch(step->tokens, step->position);
        }
    }
    mesh.say_goodbye();
}

}  // namespace lpu::launch::tcp
