#include "study/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "runtime/compiler/compile.hpp"
#include "study/predict.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::study {
namespace {

constexpr std::size_t kGridPoints = 9;
constexpr double kGoldenTolerance = 0.002;  // of the value: the search stops within 0.2%
constexpr std::size_t kRounds = 2;          // coordinate-descent passes with two fields

std::size_t golden_iterations(const FitField& field) {
    const double span = std::log(field.high / field.low) / static_cast<double>(kGridPoints - 1) * 2.0;
    const double shrink = (std::sqrt(5.0) - 1.0) / 2.0;
    return static_cast<std::size_t>(std::ceil(std::log(kGoldenTolerance / span) / std::log(shrink))) + 1;
}

// The systems of the rows, built once.
class Topologies {
public:
    const topology::Topology& get(const std::string& name) {
        auto found = built_.find(name);
        if (found == built_.end()) {
            found = built_.emplace(name, std::make_unique<topology::Topology>(topology::topology_from_spec(name))).first;
        }
        return *found->second;
    }

private:
    std::map<std::string, std::unique_ptr<topology::Topology>> built_;
};

Topologies& topologies() {
    static Topologies cache;
    return cache;
}

// The objective over a subset of rows, remembering each (row, values) it computed.
class Objective {
public:
    Objective(const std::vector<Measurement>& rows, const std::vector<FitField>& fields, const sim::ChipSpec& base,
              const std::function<void(const std::string&)>& on_prediction)
        : rows_(rows), fields_(fields), base_(base), on_prediction_(on_prediction) {}

    // Prefixes what the progress hears from now on (the leave-one-out fits
    // show the main fit's result while they run, which can take minutes).
    using Announce = std::function<std::string(const std::string&)>;
    void relabel(const Announce& announce) {
        auto inner = on_prediction_;
        on_prediction_ = [inner, announce](const std::string& label) { inner(announce(label)); };
    }

    double predicted(std::size_t row, const std::vector<double>& values) {
        const sim::ChipSpec spec = spec_with(base_, fields_, values);
        // Rows that ask the same question (several published figures of one
        // system) share one prediction.
        const Measurement& m = rows_[row];
        nlohmann::json question = {m.model, m.dtype, m.context, m.chips, m.topology, m.batch, m.prompt_tokens,
                                   metric_name(m.metric)};
        const auto document = to_json(spec);
        for (const auto& field : fields_) question.push_back(document[field.name]);
        const std::string key = question.dump();
        auto found = memo_.find(key);
        if (found == memo_.end()) {
            if (on_prediction_) on_prediction_("row " + std::to_string(rows_[row].row) + " (" + rows_[row].model + ")");
            found = memo_.emplace(key, predict_measurement(rows_[row], spec)).first;
        }
        return found->second;
    }

    double loss(const std::vector<std::size_t>& subset, const std::vector<double>& values) {
        double sum = 0.0;
        for (std::size_t row : subset) {
            const double error = std::log(predicted(row, values) / rows_[row].value);
            sum += error * error;
        }
        return sum;
    }

private:
    const std::vector<Measurement>& rows_;
    const std::vector<FitField>& fields_;
    const sim::ChipSpec& base_;
    std::function<void(const std::string&)> on_prediction_;
    std::map<std::string, double> memo_;
};

// One field's best value with the others fixed: grid, then golden section in log scale.
double search_field(Objective& objective, const std::vector<std::size_t>& subset, std::vector<double> values,
                    std::size_t index, const FitField& field) {
    const double log_low = std::log(field.low), log_high = std::log(field.high);
    const double step = (log_high - log_low) / static_cast<double>(kGridPoints - 1);
    const auto loss_at = [&](double log_value) {
        values[index] = std::exp(log_value);
        return objective.loss(subset, values);
    };
    std::size_t best = 0;
    double best_loss = 0.0;
    for (std::size_t i = 0; i < kGridPoints; ++i) {
        const double loss = loss_at(log_low + step * static_cast<double>(i));
        if (i == 0 || loss < best_loss) {
            best = i;
            best_loss = loss;
        }
    }
    double a = log_low + step * static_cast<double>(best == 0 ? 0 : best - 1);
    double b = log_low + step * static_cast<double>(std::min(best + 1, kGridPoints - 1));
    const double shrink = (std::sqrt(5.0) - 1.0) / 2.0;
    double c = b - shrink * (b - a), d = a + shrink * (b - a);
    double loss_c = loss_at(c), loss_d = loss_at(d);
    for (std::size_t i = 0; i < golden_iterations(field); ++i) {
        if (loss_c <= loss_d) {
            b = d;
            d = c;
            loss_d = loss_c;
            c = b - shrink * (b - a);
            loss_c = loss_at(c);
        } else {
            a = c;
            c = d;
            loss_c = loss_d;
            d = a + shrink * (b - a);
            loss_d = loss_at(d);
        }
    }
    const double middle = (a + b) / 2.0;
    // The grid's best point stays the answer if the bracket's middle is no better.
    return loss_at(middle) <= best_loss ? std::exp(middle) : std::exp(log_low + step * static_cast<double>(best));
}

std::vector<double> fit(Objective& objective, const std::vector<std::size_t>& subset,
                        const std::vector<FitField>& fields) {
    std::vector<double> values;
    for (const auto& field : fields) values.push_back(std::sqrt(field.low * field.high));
    const std::size_t rounds = fields.size() == 1 ? 1 : kRounds;
    for (std::size_t round = 0; round < rounds; ++round) {
        for (std::size_t i = 0; i < fields.size(); ++i) values[i] = search_field(objective, subset, values, i, fields[i]);
    }
    return values;
}

std::size_t predictions_per_fit(const std::vector<FitField>& fields, std::size_t rows) {
    std::size_t per_round = 0;
    for (const auto& field : fields) per_round += kGridPoints + 3 + golden_iterations(field);
    return per_round * (fields.size() == 1 ? 1 : kRounds) * rows;
}

}  // namespace

FitField parse_fit_field(const std::string& text) {
    const auto equals = text.find('='), colon = text.find(':', equals == std::string::npos ? 0 : equals);
    require(equals != std::string::npos && colon != std::string::npos,
            "--fit '" + text + "' is not NAME=LOW:HIGH (e.g. mxm_weight_install_bytes_per_cycle=100:100000)");
    FitField field{text.substr(0, equals), 0.0, 0.0};
    try {
        field.low = std::stod(text.substr(equals + 1, colon - equals - 1));
        field.high = std::stod(text.substr(colon + 1));
    } catch (const std::exception&) {
        throw Error("--fit '" + text + "': LOW and HIGH must be numbers");
    }
    require(field.low > 0.0 && field.high > field.low && std::isfinite(field.high),
            "--fit '" + text + "': the range must have 0 < LOW < HIGH");
    const auto document = to_json(sim::ChipSpec{});
    require(document.contains(field.name) && document[field.name].is_number(),
            "--fit '" + text + "': '" + field.name + "' is not a numeric chip spec field");
    return field;
}

sim::ChipSpec spec_with(const sim::ChipSpec& base, const std::vector<FitField>& fields, const std::vector<double>& values) {
    nlohmann::json document = to_json(base);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        auto& slot = document[fields[i].name];
        if (slot.is_number_integer()) {
            slot = std::llround(values[i]);
        } else {
            slot = values[i];
        }
    }
    return sim::chip_spec_from_json(document, "the calibrated spec");
}

double predict_measurement(const Measurement& m, const sim::ChipSpec& spec) {
    const std::string at = "row " + std::to_string(m.row) + " (" + m.model + ", " + std::to_string(m.chips) + " chips)";
    SimQuestion question;
    const bool file = std::filesystem::exists(m.model);
    question.config = model_shape(file ? "" : m.model, file ? m.model : "", m.dtype, question.model_source);
    question.spec = spec;
    question.topology_name = m.topology.empty() ? compiler::default_topology_spec(static_cast<int>(m.chips)) : m.topology;
    question.topology = &topologies().get(question.topology_name);
    question.compile.chips = static_cast<int>(m.chips);
    question.compile.positions = static_cast<int>(m.context);
    question.compile.batch = static_cast<int>(m.batch);
    question.prompt_tokens = m.prompt_tokens;
    SimPrediction prediction;
    try {
        prediction = predict(question);
    } catch (const Error& e) {
        throw Error(at + ": " + e.what());
    }
    require(!prediction.refusal, [&] { return at + ": the model does not fit its chips: " + *prediction.refusal; });
    require(prediction.predicted(), at + ": the compiled plan is not in lockstep, so it has no figures");
    if (m.metric == Metric::time_to_first_token_seconds) return seconds(prediction, prediction.ttft_cycles);
    return per_second(prediction, 1.0, prediction.last_step.latency_cycles);
}

Calibration calibrate(const std::vector<Measurement>& rows, const std::vector<FitField>& fields,
                      const sim::ChipSpec& base, const std::string& calibrated_name,
                      const std::function<void(std::size_t, std::size_t, const std::string&)>& on_progress) {
    require(!rows.empty(), "calibration needs at least one measurement");
    require(!fields.empty() && fields.size() <= 2, "calibration fits one or two spec fields, got " +
                                                       std::to_string(fields.size()));
    require(fields.size() == 1 || fields[0].name != fields[1].name, "--fit names '" + fields[0].name + "' twice");
    const std::size_t n = rows.size();
    const std::size_t total = predictions_per_fit(fields, n) + (n >= 2 ? n * predictions_per_fit(fields, n - 1) : 0) + n;
    Calibration result;
    result.fields = fields;
    Objective objective(rows, fields, base, [&](const std::string& label) {
        ++result.evaluations;
        if (on_progress) on_progress(std::min(result.evaluations, total), total, label);
    });
    // Every row must be predictable at all: a model that does not fit is the user's error, said at once.
    std::vector<double> start;
    for (const auto& field : fields) start.push_back(field.low);
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    objective.loss(all, start);

    result.values = fit(objective, all, fields);
    result.spec = spec_with(base, fields, result.values);
    result.spec.name = calibrated_name;
    std::string fitted;
    for (std::size_t i = 0; i < fields.size(); ++i) fitted += " " + fields[i].name + "=" + std::to_string(result.values[i]);
    const std::string leave_one_out_label = "leave-one-out; fitted" + fitted + ": ";
    Objective::Announce announce = [&](const std::string& label) { return leave_one_out_label + label; };
    objective.relabel(announce);
    for (std::size_t i = 0; i < n; ++i) {
        RowFit row{rows[i], objective.predicted(i, result.values), 0.0, std::nullopt, std::nullopt};
        row.relative_error = row.predicted / rows[i].value - 1.0;
        if (n >= 2) {
            std::vector<std::size_t> others;
            for (std::size_t j = 0; j < n; ++j) {
                if (j != i) others.push_back(j);
            }
            const auto values = fit(objective, others, fields);
            row.leave_one_out_values = values;
            row.leave_one_out_error = objective.predicted(i, values) / rows[i].value - 1.0;
        }
        result.rows.push_back(row);
    }
    return result;
}

}  // namespace lpu::study
