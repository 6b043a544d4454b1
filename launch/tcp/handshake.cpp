#include "launch/tcp/handshake.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "launch/tcp/endpoint.hpp"
#include "launch/tcp/frame.hpp"
#include "plan/fingerprint.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::launch::tcp {
namespace {

// The placement's fields against each other and the plan.
void check_placement(const JobPlacement& placement, const plan::Plan& plan) {
    const auto chips = static_cast<long long>(plan.chips.size());
    require(placement.ranks >= 2 && placement.ranks <= chips + 1,
            "the job's ranks field is " + std::to_string(placement.ranks) + ": a coordinator and 1 to " +
                std::to_string(chips) + " workers (one chip each at least)");
    require(placement.rank >= 1 && placement.rank < placement.ranks,
            "the job's rank field is " + std::to_string(placement.rank) + ", not a worker's rank in [1, " +
                std::to_string(placement.ranks) + ")");
    require(placement.sharing_cores >= 1 && placement.sharing_cores < placement.ranks,
            "the job's sharingCores field is " + std::to_string(placement.sharing_cores));
    require(static_cast<int>(placement.endpoints.size()) == placement.ranks,
            "the job lists " + std::to_string(placement.endpoints.size()) + " endpoints for " +
                std::to_string(placement.ranks) + " ranks");
    for (int rank = 1; rank < placement.ranks; ++rank) {
        try {
            parse_endpoint(placement.endpoints[static_cast<std::size_t>(rank)]);
        } catch (const Error& e) {
            throw Error("the job's endpoint of rank " + std::to_string(rank) + ": " + e.what());
        }
    }
    topology::ChipId max_chip = 0;
    std::set<topology::ChipId> in_plan;
    for (const auto& program : plan.chips) {
        max_chip = std::max(max_chip, program.chip);
        in_plan.insert(program.chip);
    }
    require(placement.rank_of_chip.size() == static_cast<std::size_t>(max_chip) + 1,
            "the job's rankOfChip lists " + std::to_string(placement.rank_of_chip.size()) +
                " chips, the plan's chip ids need " + std::to_string(max_chip + 1));
    std::vector<int> chips_of_rank(static_cast<std::size_t>(placement.ranks), 0);
    for (std::size_t chip = 0; chip < placement.rank_of_chip.size(); ++chip) {
        const int rank = placement.rank_of_chip[chip];
        if (!in_plan.count(static_cast<topology::ChipId>(chip))) {
            require(rank == -1, "the job's rankOfChip gives rank " + std::to_string(rank) + " to chip " +
                                    std::to_string(chip) + ", which is not in the plan");
            continue;
        }
        require(rank >= 1 && rank < placement.ranks, "the job's rankOfChip gives chip " + std::to_string(chip) +
                                                         " rank " + std::to_string(rank) + ", not a worker's");
        ++chips_of_rank[static_cast<std::size_t>(rank)];
    }
    for (int rank = 1; rank < placement.ranks; ++rank) {
        require(chips_of_rank[static_cast<std::size_t>(rank)] > 0,
                "the job's rankOfChip gives worker rank " + std::to_string(rank) + " no chip");
    }
}

}  // namespace

void build_job(schema::Job::Builder job, const std::string& plan_bytes, const std::string& chip_spec_json,
               const JobPlacement& placement) {
    job.setProtocolVersion(protocol_version);
    job.setRank(static_cast<std::uint32_t>(placement.rank));
    job.setRanks(static_cast<std::uint32_t>(placement.ranks));
    job.setPlan(kj::arrayPtr(reinterpret_cast<const kj::byte*>(plan_bytes.data()), plan_bytes.size()));
    job.setChipSpec(chip_spec_json);
    auto endpoints = job.initEndpoints(static_cast<unsigned>(placement.endpoints.size()));
    for (std::size_t r = 0; r < placement.endpoints.size(); ++r) endpoints.set(static_cast<unsigned>(r), placement.endpoints[r]);
    auto rank_of_chip = job.initRankOfChip(static_cast<unsigned>(placement.rank_of_chip.size()));
    for (std::size_t c = 0; c < placement.rank_of_chip.size(); ++c) {
        rank_of_chip.set(static_cast<unsigned>(c), placement.rank_of_chip[c]);
    }
    job.setSharingCores(static_cast<std::uint32_t>(placement.sharing_cores));
}

Job read_job(schema::Job::Reader job, const model::ModelFile& file) {
    return read_fields("job", [&] {
        require(job.getProtocolVersion() == protocol_version,
                "the coordinator speaks protocol " + std::to_string(job.getProtocolVersion()) + ", this worker " +
                    std::to_string(protocol_version));
        Job taken;
        const auto plan_bytes = job.getPlan();
        taken.plan = plan::plan_from_bytes(
            std::string_view(reinterpret_cast<const char*>(plan_bytes.begin()), plan_bytes.size()), "the job's plan");
        nlohmann::json spec = nlohmann::json::parse(job.getChipSpec().cStr(), nullptr, false);
        require(!spec.is_discarded(), "the job's chip spec is not JSON");
        taken.spec = sim::chip_spec_from_json(spec, "the job's chip spec");
        // Counts arrive unsigned; none of a real job comes near 2^20.
        const auto count = [](std::uint32_t value, const char* field) {
            require(value < (1u << 20), std::string("the job's ") + field + " field is " + std::to_string(value));
            return static_cast<int>(value);
        };
        taken.placement.rank = count(job.getRank(), "rank");
        taken.placement.ranks = count(job.getRanks(), "ranks");
        taken.placement.sharing_cores = count(job.getSharingCores(), "sharingCores");
        for (auto endpoint : job.getEndpoints()) taken.placement.endpoints.emplace_back(endpoint.cStr());
        for (int rank : job.getRankOfChip()) taken.placement.rank_of_chip.push_back(rank);
        check_placement(taken.placement, taken.plan);
        const auto topology = topology::topology_from_spec(taken.plan.system.topology);
        plan::check_fingerprint(taken.plan, compiler::model_fingerprint(file),
                                compiler::system_fingerprint(topology, taken.plan.system.topology, taken.spec));
        return taken;
    });
}

void build_hello(schema::Hello::Builder hello, const Job& job) {
    hello.setProtocolVersion(protocol_version);
    hello.setRank(static_cast<std::uint32_t>(job.placement.rank));
    hello.setPlanHash(job.plan.model.hash);
}

int read_hello(schema::Hello::Reader hello, const Job& job) {
    return read_fields("hello", [&] {
        require(hello.getProtocolVersion() == protocol_version && hello.getPlanHash() == job.plan.model.hash,
                "a hello from a worker of another run (its protocol or model differs)");
        const std::uint32_t rank = hello.getRank();
        require(rank > static_cast<std::uint32_t>(job.placement.rank) &&
                    rank < static_cast<std::uint32_t>(job.placement.ranks),
                "a hello announcing rank " + std::to_string(rank) + ", which does not connect to rank " +
                    std::to_string(job.placement.rank));
        return static_cast<int>(rank);
    });
}

}  // namespace lpu::launch::tcp
