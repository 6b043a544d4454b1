#pragma once
// `lpu sweep`: a scaling study. Every point of the axes (sweep_table.hpp) is
// predicted like `lpu sim` (predict.hpp) and written as one row of
// DIR/sweep.csv, flushed row by row; gnuplot then draws latency, throughput
// and chips-needed curves as SVG (sweep_plots.hpp).
#include <cstdint>
#include <ostream>
#include <string>

#include "study/sweep_table.hpp"

namespace lpu::study {

struct SweepRequest {
    std::string preset;       // a published model shape, or
    std::string model_path;   // a GGUF file whose header gives it
    std::string dtype;        // weight types (empty: as lpu sim)
    std::string spec;         // chip spec: a preset name or a JSON file
    std::string collective = "auto";
    std::int64_t prompt_tokens = 128;
    SweepAxes axes;
    std::string out_dir = "sweep";
    bool plots = true;
    bool progress = true;     // a progress bar on stderr
};

// Runs the sweep: writes sweep.csv (and the plots) in request.out_dir and says
// what it wrote on `out`. A point that does not fit, has no grid or is not in
// lockstep is a row that says so; bad input throws lpu::Error. An interrupted
// sweep keeps the rows it finished, as sweep.csv.partial.PID.
void run_sweep(const SweepRequest& request, std::ostream& out);

}  // namespace lpu::study
