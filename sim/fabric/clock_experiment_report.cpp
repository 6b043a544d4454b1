#include "sim/fabric/clock_experiment_report.hpp"

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/printf_text.hpp"

namespace lpu::sim {
namespace {

nlohmann::json link_down_json(const LinkDownReport& down) {
    nlohmann::json out = {{"link", {down.link.a, down.link.b}},
                          {"links", down.links},
                          {"at_s", down.link.at_s},
                          {"round", down.round},
                          {"down_s", down.down_s},
                          {"healed", down.healed},
                          {"chips_behind", down.chips_behind},
                          {"reparented_chips", down.reparented_chips},
                          {"tree_depth_after", down.tree_depth_after},
                          {"skew_bound_after_cycles", nullptr},
                          {"max_skew_behind_cycles", down.max_skew_behind_cycles},
                          {"violations_after", down.violations_after}};
    if (down.healed) out["skew_bound_after_cycles"] = down.skew_bound_after_cycles;
    return out;
}

nlohmann::json report_json(const std::string& name, const ClockExperimentConfig& config,
                           const ClockExperimentReport& report) {
    const ChipSpec& spec = config.spec;
    const auto& alignment = report.alignment;
    nlohmann::json out = {
        {"topology", name},
        {"chips", report.chips},
        {"channels", report.channels},
        {"tree_depth", report.tree_depth},
        {"chip_spec", spec.name},
        {"clock_hz", spec.clock_hz},
        {"seed", config.seed},
        {"ppm", config.drift.crystal_ppm},
        {"wander_ppm_per_sqrt_s", config.drift.wander_ppm_per_sqrt_s},
        {"compensation", config.compensate},
        {"duration_s", config.duration_s},
        {"measured_s", report.measured_s},
        {"settle_s", report.settle_s},
        {"rounds", report.rounds},
        {"root", alignment.root},
        {"epoch_cycles", alignment.epoch_cycles},
        {"correction_period_cycles", alignment.correction_period_cycles},
        {"correction_period_s",
         static_cast<double>(alignment.correction_period_cycles) / static_cast<double>(spec.clock_hz)},
        {"echo_count", alignment.echo_count},
        {"correction_messages", alignment.correction_messages},
        {"slack_cycles", report.slack_cycles},
        {"exchange_period_cycles", report.exchange_period_cycles},
        {"buffer_vectors", config.buffer_vectors},
        {"read_offset_cycles", report.read_offset_cycles},
        {"overwrite_margin_cycles", report.overwrite_margin_cycles},
        {"deskew_margin_cycles", report.deskew_margin_cycles},
        {"hop_bound_cycles", report.hop_bound_cycles},
        {"skew_bound_cycles", nullptr},
        {"max_skew_cycles", report.max_skew_cycles},
        {"p99_skew_cycles", report.p99_skew_cycles},
        {"max_pair_skew_cycles", report.max_pair_skew_cycles},
        {"skew_samples", report.skew_samples},
        {"violations", report.violations},
        {"late_transfers", report.late_transfers},
        {"overwritten_transfers", report.overwritten_transfers},
        {"first_violation_s", nullptr},
        {"deskew_stall_fraction", report.deskew_stall_fraction},
        {"link_down", nullptr},
    };
    if (report.link_down) out["link_down"] = link_down_json(*report.link_down);
    if (config.compensate) out["skew_bound_cycles"] = report.skew_bound_cycles;
    if (report.first_violation_s) out["first_violation_s"] = *report.first_violation_s;
    return out;
}

std::string link_down_text(const nlohmann::json& down) {
    std::string text = printf_text("link down:       %u-%u (%zu link%s) at %.3f s (round %lld), ",
                                   down["link"][0].get<unsigned>(), down["link"][1].get<unsigned>(),
                                   down["links"].get<std::size_t>(), down["links"].get<std::size_t>() == 1 ? "" : "s",
                                   down["down_s"].get<double>(), down["round"].get<long long>());
    const auto behind = down["chips_behind"].get<std::size_t>();
    if (down["healed"].get<bool>()) {
        text += printf_text("healed: %zu chip(s) re-parented, tree depth %u (bound %.1f)\n",
                            down["reparented_chips"].get<std::size_t>(), down["tree_depth_after"].get<unsigned>(),
                            down["skew_bound_after_cycles"].get<double>());
    } else {
        text += printf_text("not healed: the %zu chip(s) behind it are corrected no more\n", behind);
    }
    text += printf_text("after it:        %zu chip(s) behind the link, max skew %lld cycles; %llu violations\n", behind,
                        down["max_skew_behind_cycles"].get<long long>(),
                        down["violations_after"].get<unsigned long long>());
    return text;
}

// The text is read off the JSON object, so the two never disagree.
std::string report_text(const nlohmann::json& out) {
    std::string text = printf_text("topology:        %s (%zu chips, alignment tree depth %u)\n",
                                   out["topology"].get<std::string>().c_str(), out["chips"].get<std::size_t>(),
                                   out["tree_depth"].get<unsigned>());
    text += printf_text("clocks:          +-%g ppm, wander %g ppm/sqrt(s), %s\n", out["ppm"].get<double>(),
                        out["wander_ppm_per_sqrt_s"].get<double>(),
                        out["compensation"].get<bool>() ? "aligned (HAC over a BFS tree)" : "no compensation");
    text += printf_text("measured:        %.3f s (%lld rounds of %.3f s, after %.3f s of settling)\n",
                        out["measured_s"].get<double>(), out["rounds"].get<long long>(),
                        out["correction_period_s"].get<double>(), out["settle_s"].get<double>());
    text += printf_text("skew:            max %lld cycles, p99 %lld cycles, worst pair %lld cycles",
                        out["max_skew_cycles"].get<long long>(), out["p99_skew_cycles"].get<long long>(),
                        out["max_pair_skew_cycles"].get<long long>());
    if (!out["skew_bound_cycles"].is_null()) text += printf_text(" (bound %.1f)", out["skew_bound_cycles"].get<double>());
    text += printf_text("\nslack:           %lld cycles\n", out["slack_cycles"].get<long long>());
    text += printf_text("violations:      %llu", out["violations"].get<unsigned long long>());
    if (!out["first_violation_s"].is_null()) {
        text += printf_text(" (first at %.6f s)", out["first_violation_s"].get<double>());
    }
    text += printf_text("\ndeskew stalls:   %.4f%% of cycles\n", 100.0 * out["deskew_stall_fraction"].get<double>());
    if (!out["link_down"].is_null()) text += link_down_text(out["link_down"]);
    return text;
}

}  // namespace

std::string clock_experiment_report(const std::string& topology_name, const ClockExperimentConfig& config,
                                    const ClockExperimentReport& report, bool json) {
    const nlohmann::json out = report_json(topology_name, config, report);
    return json ? json_text(out, 2) + "\n" : report_text(out);
}

std::string skew_samples_csv(const ClockExperimentReport& report) {
    std::string csv = "round,time_s,max_skew_cycles,spread_cycles\n";
    for (const auto& sample : report.samples) {
        csv += printf_text("%lld,%.9f,%lld,%lld\n", static_cast<long long>(sample.round), sample.time_s,
                           static_cast<long long>(sample.max_skew_cycles),
                           static_cast<long long>(sample.spread_cycles));
    }
    return csv;
}

}  // namespace lpu::sim
