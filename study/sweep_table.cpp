#include "study/sweep_table.hpp"

#include <algorithm>
#include <cstdio>

#include "base/error.hpp"
#include "runtime/kernels/dtype.hpp"

namespace lpu::study {
namespace {

template <typename T>
void require_axis(const std::vector<T>& values, const char* name) {
    require(!values.empty(), [&] { return std::string("the sweep axis ") + name + " has no values"; });
}

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// A CSV field: quoted when it holds a separator, a quote or a line break.
std::string field(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

double share(std::int64_t part, std::int64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

double microseconds(const SimPrediction& prediction, std::int64_t cycles) { return seconds(prediction, cycles) * 1e6; }

}  // namespace

std::vector<SweepPoint> sweep_points(const SweepAxes& axes, const std::string& default_topology) {
    const bool by_chips = !axes.chips.empty();
    require(by_chips != (!axes.tp.empty() || !axes.pp.empty()), "give the sweep either --chips or --tp and --pp");
    if (!by_chips) {
        require_axis(axes.tp, "--tp");
        require_axis(axes.pp, "--pp");
    }
    require_axis(axes.replicas, "--replicas");
    require_axis(axes.batches, "--batch");
    require_axis(axes.contexts, "--context");
    const std::vector<std::string> topologies =
        axes.topologies.empty() ? std::vector<std::string>{default_topology} : axes.topologies;

    std::vector<SweepPoint> points;
    for (const std::string& topology : topologies) {
        for (int context : axes.contexts) {
            for (int batch : axes.batches) {
                for (int replicas : axes.replicas) {
                    const auto add = [&](int chips, int tp, int pp) {
                        points.push_back({chips, tp, pp, replicas, topology, batch, context});
                    };
                    if (by_chips) {
                        for (int chips : axes.chips) add(chips, 0, 0);
                    } else {
                        for (int tp : axes.tp) {
                            for (int pp : axes.pp) add(0, tp, pp);
                        }
                    }
                }
            }
        }
    }
    return points;
}

int largest_point_chips(const SweepAxes& axes) {
    if (!axes.chips.empty()) return *std::max_element(axes.chips.begin(), axes.chips.end());
    const int replicas = std::max(1, *std::max_element(axes.replicas.begin(), axes.replicas.end()));
    const int tp = axes.tp.empty() ? 1 : *std::max_element(axes.tp.begin(), axes.tp.end());
    const int pp = axes.pp.empty() ? 1 : *std::max_element(axes.pp.begin(), axes.pp.end());
    return tp * pp * replicas;
}

std::string sweep_csv_header() {
    return "model,weight_dtype,spec,topology,context,batch,chips_asked,tp_asked,pp_asked,replicas_asked,"
           "chips_needed,fits,chips,tp,pp,replicas,fullest_chip_sram_bytes,"
           "latency_us_first_position,latency_us_last_position,tokens_per_s_per_user,tokens_per_s_aggregate,"
           "ttft_ms,ttft_pipelined_min_ms,prompt_tokens,compute_share,transfer_share,deskew_share,idle_share,"
           "matrix_unit_mean,vector_unit_mean,sram_bandwidth_mean,link_max,joules_per_token,note\n";
}

std::string sweep_csv_row(const SweepRow& row) {
    const SweepPoint& point = row.point;
    std::string line;
    const auto add = [&](const std::string& value) {
        if (!line.empty()) line += ',';
        line += value;
    };
    const SimPrediction* p = &row.prediction;
    add(field(p->config.name));
    add(kernels::dtype_name(p->config.weight_dtype));
    add(field(p->spec.name));
    add(field(point.topology));
    add(std::to_string(p->context_positions));
    add(std::to_string(point.batch));
    add(std::to_string(point.chips));
    add(std::to_string(point.tp));
    add(std::to_string(point.pp));
    add(point.replicas == 0 ? "auto" : std::to_string(point.replicas));
    add(row.chips_needed ? std::to_string(*row.chips_needed) : "");
    add(p->refusal ? "0" : "1");
    if (p->refusal) {
        for (int i = 0; i < 21; ++i) add("");  // chips .. joules_per_token
        add(field(*p->refusal));
        return line + "\n";
    }
    const StepStudy& last = p->last_step;
    const TimeBreakdown& path = last.critical_path;
    add(std::to_string(p->chips));
    add(std::to_string(p->grid.tp));
    add(std::to_string(p->grid.pp));
    add(std::to_string(p->grid.replicas));
    add(std::to_string(p->fullest_chip_sram_bytes));
    add(fixed(microseconds(*p, p->first_step.latency_cycles), 3));
    add(fixed(microseconds(*p, last.latency_cycles), 3));
    add(fixed(per_second(*p, 1.0, last.latency_cycles), 3));
    add(fixed(per_second(*p, tokens_per_step(*p), last.period_cycles), 3));
    add(fixed(microseconds(*p, p->ttft_cycles) / 1e3, 3));
    add(fixed(microseconds(*p, p->pipelined_ttft_cycles) / 1e3, 3));
    add(std::to_string(p->prompt_tokens));
    add(fixed(share(path.compute, last.latency_cycles), 4));
    add(fixed(share(path.transfer, last.latency_cycles), 4));
    add(fixed(share(path.deskew, last.latency_cycles), 4));
    add(fixed(share(path.idle, last.latency_cycles), 4));
    const StepUtilisation& busy = last.utilisation;
    add(fixed(busy.matrix_unit.mean, 6));
    add(fixed(busy.vector_unit.mean, 6));
    add(fixed(busy.sram_bandwidth.mean, 6));
    add(fixed(busy.link.max, 6));
    add(fixed(joules_per_token(*p, p->spec.power_average_watts), 4));
    add("");
    return line + "\n";
}

}  // namespace lpu::study
