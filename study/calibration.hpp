#pragma once
// Calibration of a chip spec against measurements (study/measurements.hpp):
// one or two spec fields, each searched inside a range the user gives, so that
// the simulator's predictions match the measurements as a whole — the least
// sum over rows of log(predicted / measured)^2, so a row counts by its
// relative error whatever its unit. Bounded and deterministic: per field a
// grid of 9 points spaced evenly in log scale, then a golden-section search
// between the best point's neighbours to 0.2% of the value; two fields are
// searched in turn, twice each (coordinate descent). Each evaluation runs
// `lpu sim`'s prediction for every row (study/predict.hpp).
//
// Then, with two rows or more, each row is predicted by a fit on the other
// rows alone (leave-one-out): the error a calibrated spec makes on a
// measurement it was not fitted to.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/chip/chip_spec.hpp"
#include "study/measurements.hpp"

namespace lpu::study {

// A spec field to fit and its range, from "NAME=LOW:HIGH" (0 < LOW < HIGH).
struct FitField {
    std::string name;
    double low = 0.0;
    double high = 0.0;
};
// Throws lpu::Error naming the text when it is malformed or names no numeric spec field.
FitField parse_fit_field(const std::string& text);

// `base` with the fields set to `values` (integer fields rounded); validated.
sim::ChipSpec spec_with(const sim::ChipSpec& base, const std::vector<FitField>& fields, const std::vector<double>& values);

// What `lpu sim` predicts for the measurement's metric with `spec`. Throws
// lpu::Error naming the row when the model does not fit its chips or the
// plan is not in lockstep.
double predict_measurement(const Measurement& measurement, const sim::ChipSpec& spec);

struct RowFit {
    Measurement measurement;
    double predicted = 0.0;
    double relative_error = 0.0;                   // predicted / measured - 1
    std::optional<double> leave_one_out_error;     // the same from a fit without this row
    std::optional<std::vector<double>> leave_one_out_values;
};

struct Calibration {
    std::vector<FitField> fields;
    std::vector<double> values;  // fitted, one per field
    sim::ChipSpec spec;          // base with the fitted values, named `calibrated_name`
    std::vector<RowFit> rows;
    std::size_t evaluations = 0; // predictions of one row each
};

// `on_progress(done, total, label)` hears every row prediction (total is an
// upper bound known in advance). Throws lpu::Error on bad fields or rows.
Calibration calibrate(const std::vector<Measurement>& rows, const std::vector<FitField>& fields,
                      const sim::ChipSpec& base, const std::string& calibrated_name,
                      const std::function<void(std::size_t, std::size_t, const std::string&)>& on_progress = {});

}  // namespace lpu::study
