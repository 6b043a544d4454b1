#include "launch/run_fabric.hpp"

#include "base/error.hpp"
#include "launch/transport_fabric_wire.hpp"
#include "sim/fabric/chip_fabric.hpp"

namespace lpu::launch {

sim::PlanLockstepConfig run_fabric_config(std::uint64_t seed, int positions) {
    sim::PlanLockstepConfig config;
    config.seed = seed;
    config.first_position = 0;
    config.steps = positions;
    return config;
}

sim::FabricFigures hosted_fabric_figures(const plan::Plan& plan, const topology::Topology& topology,
                                         const sim::ChipSpec& spec, const sim::PlanLockstepConfig& config,
                                         const std::vector<int>& fabric_ranks, int rank,
                                         collectives::Transport& transport) {
    std::vector<bool> hosted(topology.chip_count(), false);
    for (std::size_t chip = 0; chip < hosted.size(); ++chip) hosted[chip] = fabric_ranks.at(chip) == rank;
    TransportFabricWire wire(transport);
    const sim::FabricFigures figures = sim::chip_fabric_figures(plan, topology, spec, config, hosted, wire);
    transport.flush();  // the last stamps may still wait to leave, and no receive of ours will send them now
    return figures;
}

nlohmann::json fabric_json(const sim::FabricFigures& figures) {
    return {
        {"steps", figures.steps},
        {"transfers", figures.transfers},
        {"max_skew_cycles", figures.max_skew_cycles},
        {"deskew_stall_cycles", figures.deskew_stall_cycles},
        {"deskew_points", figures.deskew_points},
        {"violations", figures.violations()},
        {"late_transfers", figures.late_transfers},
        {"overwritten_transfers", figures.overwritten_transfers},
        {"worst_margin_cycles",
         figures.worst_margin_cycles ? nlohmann::json(*figures.worst_margin_cycles) : nlohmann::json(nullptr)},
    };
}

sim::FabricFigures fabric_from_json(const nlohmann::json& json) {
    try {
        sim::FabricFigures figures;
        figures.steps = json.at("steps").get<std::int64_t>();
        figures.transfers = json.at("transfers").get<std::uint64_t>();
        figures.max_skew_cycles = json.at("max_skew_cycles").get<std::int64_t>();
        figures.deskew_stall_cycles = json.at("deskew_stall_cycles").get<std::int64_t>();
        figures.deskew_points = json.at("deskew_points").get<std::uint64_t>();
        figures.late_transfers = json.at("late_transfers").get<std::uint64_t>();
        figures.overwritten_transfers = json.at("overwritten_transfers").get<std::uint64_t>();
        const nlohmann::json& margin = json.at("worst_margin_cycles");
        if (!margin.is_null()) figures.worst_margin_cycles = margin.get<std::int64_t>();
        return figures;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("fabric figures of a rank: ") + e.what());
    }
}

std::string fabric_summary(const sim::FabricFigures& figures) {
    std::string text = "fabric over ";
    text.append(std::to_string(figures.steps))
        .append(" steps: max skew ")
        .append(std::to_string(figures.max_skew_cycles))
        .append(" cycles | deskew stalls ")
        .append(std::to_string(figures.deskew_stall_cycles))
        .append(" cycles at ")
        .append(std::to_string(figures.deskew_points))
        .append(" points | ")
        .append(std::to_string(figures.violations()))
        .append(" violations (")
        .append(std::to_string(figures.late_transfers))
        .append(" late, ")
        .append(std::to_string(figures.overwritten_transfers))
        .append(" overwritten) of ")
        .append(std::to_string(figures.transfers))
        .append(" transfers | worst margin ");
    text.append(figures.worst_margin_cycles ? std::to_string(*figures.worst_margin_cycles) + " cycles" : "n/a");
    return text;
}

}  // namespace lpu::launch
