#pragma once
// The grid of a scaling sweep (`lpu sweep`) and its CSV table: every
// combination of the axes is one point, predicted like `lpu sim`
// (study/predict.hpp), and one row of the table.
//
// The table holds only what the prediction determines (no wall times), with
// fixed number formats, so the same sweep always writes the same bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "study/prediction_report.hpp"

namespace lpu::study {

struct SweepAxes {
    std::vector<int> chips;            // total chips per point (or empty, with tp and pp)
    std::vector<int> tp;               // explicit grids: every tp x pp pair (with empty chips)
    std::vector<int> pp;
    std::vector<int> replicas{0};      // 0 = auto (compile.hpp)
    std::vector<std::string> topologies;  // empty: one system sized for the largest point
    std::vector<int> batches{1};
    std::vector<int> contexts{0};      // 0 = the model's context length
};

struct SweepPoint {
    int chips = 0;     // 0 with an explicit grid
    int tp = 0;
    int pp = 0;
    int replicas = 0;
    std::string topology;
    int batch = 1;
    int context = 0;
};

// Every point, in a fixed order (topology, context, batch, replicas, then
// chips or tp x pp). Throws lpu::Error on an empty axis or on both --chips and
// --tp/--pp.
std::vector<SweepPoint> sweep_points(const SweepAxes& axes, const std::string& default_topology);

// The chip count of the largest point, for the default system.
int largest_point_chips(const SweepAxes& axes);

// One row: the point, the fewest chips the model needs at its context, and the
// prediction. A point without a plan has the reason as the prediction's
// refusal: the model does not fit, or the point has no grid at all.
struct SweepRow {
    const SweepPoint& point;
    std::optional<int> chips_needed;
    const SimPrediction& prediction;
};

std::string sweep_csv_header();
std::string sweep_csv_row(const SweepRow& row);

}  // namespace lpu::study
