#include "launch/tcp/worker.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "launch/host_threads.hpp"
#include "launch/mailbox_limit.hpp"
#include "launch/rank_placement.hpp"
#include "launch/run_fabric.hpp"
#include "launch/run_report.hpp"
#include "launch/tcp/endpoint.hpp"
#include "launch/tcp/handshake.hpp"
#include "launch/tcp/listener.hpp"
#include "launch/tcp/run_protocol.hpp"
#include "launch/tcp/tcp_mesh.hpp"
#include "launch/tcp/tcp_transport.hpp"
#include "runtime/engine/plan_model.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::launch::tcp {
namespace {

using asio::ip::tcp;

void write_port_file(const std::string& path, std::uint16_t port) {
    const std::string temporary = path + ".tmp";
    std::ofstream(temporary) << port << "\n";
    std::filesystem::rename(temporary, path);  // readers never see half a file
}

// One frame, written at once on a socket that is not (yet) a mesh's.
void write_now(tcp::socket& socket, capnp::MessageBuilder& message, asio::error_code& error) {
    std::vector<std::byte> bytes;
    append_frame(bytes, message);
    asio::write(socket, asio::buffer(bytes), error);
}

std::string worker_name(int rank, const std::string& endpoint) {
    return "worker " + std::to_string(rank) + " (" + endpoint + ")";
}

struct TakenJob {
    Job job;
    Listener::Opening opening;
};

// The first connection that opens with a job this worker can run. A refused
// job is answered with why (its coordinator prints it) and dropped.
TakenJob take_job(Listener& listener, const model::ModelFile& file, const PeerLiveness& liveness) {
    std::optional<Job> job;
    auto opening = listener.next(
        [&](Frame& frame) {
            const auto message = frame.message();
            // A worker of the same job may say hello before this one has its job: kept for join_workers.
            if (message.isHello()) return Listener::Verdict::later;
            require(message.isJob(), "its first message is not a job");
            job = read_job(message.getJob(), file);
            return Listener::Verdict::take;
        },
        [](tcp::socket& socket, const std::string& why) {
            capnp::MallocMessageBuilder refusal;
            refusal.initRoot<schema::WireMessage>().setRefuse(why);
            asio::error_code ignored;  // best effort: a stray connection may not listen
            write_now(socket, refusal, ignored);
        },
        liveness);
    return {std::move(*job), std::move(opening)};
}

// The mesh among the workers: this one connects to those of lower rank and
// says hello; those of higher rank connect to it. They are all starting the
// same job, so they get a few peer timeouts to appear.
void join_workers(TcpMesh& mesh, Listener& listener, const Job& job, const PeerLiveness& liveness) {
    const auto deadline = std::chrono::steady_clock::now() + 3 * liveness.timeout();
    const auto& endpoints = job.placement.endpoints;
    asio::io_context io;
    for (int peer = 1; peer < job.placement.rank; ++peer) {
        const std::string name = worker_name(peer, endpoints[static_cast<std::size_t>(peer)]);
        tcp::socket socket = connect_to(io, parse_endpoint(endpoints[static_cast<std::size_t>(peer)]), name, deadline);
        capnp::MallocMessageBuilder hello;
        build_hello(hello.initRoot<schema::WireMessage>().initHello(), job);
        asio::error_code error;
        write_now(socket, hello, error);  // the opening, before the mesh writes anything
        require(!error, [&] { return "saying hello to " + name + " failed: " + error.message(); });
        mesh.add_peer(peer, std::move(socket), name);
    }
    std::set<int> joined;
    for (int accepted = job.placement.rank + 1; accepted < job.placement.ranks; ++accepted) {
        int rank = 0;
        auto opening = listener.next(
            [&](Frame& frame) {
                const auto message = frame.message();
                require(message.isHello(), "its first message is not a hello");
                rank = read_hello(message.getHello(), job);
                require(!joined.count(rank), "worker rank " + std::to_string(rank) + " connected twice");
                return Listener::Verdict::take;
            },
            {}, liveness, deadline, "worker of a higher rank");
        joined.insert(rank);
        mesh.add_peer(rank, std::move(opening.socket), worker_name(rank, endpoints[static_cast<std::size_t>(rank)]));
    }
}

void run_job(const model::ModelFile& file, Job job, TcpMesh& mesh, RunInbox& inbox, Listener& listener,
             const PeerLiveness& liveness) {
    join_workers(mesh, listener, job, liveness);
    const int rank = job.placement.rank;
    RankOfChip placement{std::vector<int>(job.plan.chips.size())};
    for (std::size_t c = 0; c < job.plan.chips.size(); ++c) {
        placement.rank[c] = job.placement.rank_of_chip[job.plan.chips[c].chip];
    }
    const ChipLayout layout = chip_layout(job.plan, placement);
    const topology::Topology topology = topology::topology_from_spec(job.plan.system.topology);
    // Chips outside the plan keep time for the fabric on rank 0, the coordinator.
    const std::vector<int> fabric_ranks = fabric_rank_of_chip(layout, topology.chip_count());
    TcpTransport transport(mesh, fabric_ranks, run_mailbox_limit(job.plan, fabric_ranks, rank));
    LogitsToCoordinator broadcast(mesh, inbox, layout.head_rank);
    engine::PlanModel model(std::move(job.plan), file, job.spec, transport, {chips_of_rank(placement, rank), &broadcast},
                            process_thread_pool(job.placement.sharing_cores));
    send_ready(mesh);
    std::fprintf(stderr, "lpu worker: rank %d of %d runs %zu chips\n", rank, job.placement.ranks, model.chips().size());
    while (const auto step = inbox.next_step(mesh)) {
        if (!step->finish) {
            model.forward_batch(step->tokens, step->positions);
            continue;
        }
        std::vector<ChipReport> chips;
        for (const auto& runner : model.chips()) chips.push_back(chip_report(*runner));
        std::optional<sim::FabricFigures> figures;
        if (const FinishRequest& finish = *step->finish; finish.positions > 0) {
            figures = hosted_fabric_figures(model.plan(), topology, job.spec,
                                            run_fabric_config(finish.seed, finish.positions), fabric_ranks, rank,
                                            transport);
        }
        send_report(mesh, json_text(process_report(chips, figures)));
    }
}

}  // namespace

void run_worker(const model::ModelFile& file, const WorkerOptions& options) {
    const Endpoint listen = parse_endpoint(options.listen);
    require(options.allow_remote || is_loopback(listen.host),
            "--listen " + options.listen + " is not a loopback address: a worker runs whatever its coordinator sends, "
            "so listening on the network needs --allow-remote");
    Listener listener(listen);
    std::fprintf(stderr, "lpu worker: listening on %s:%u\n", listen.host.c_str(), listener.port());
    if (!options.port_file.empty()) write_port_file(options.port_file, listener.port());

    TakenJob taken = take_job(listener, file, options.liveness);
    RunInbox inbox(taken.job.placement.rank);
    TcpMesh mesh(taken.job.placement.rank, options.liveness, inbox);
    mesh.add_peer(0, std::move(taken.opening.socket), "the coordinator");
    try {
        run_job(file, std::move(taken.job), mesh, inbox, listener, options.liveness);
    } catch (const std::exception& e) {
        mesh.abort_all(e.what());  // the coordinator and the other workers hear why
        throw;
    }
    mesh.say_goodbye();
}

}  // namespace lpu::launch::tcp
