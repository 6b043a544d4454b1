#include "study/measurements.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/error.hpp"
#include "runtime/model/model_presets.hpp"

namespace lpu::study {
namespace {

constexpr const char* kRequired[] = {"model", "dtype", "context", "chips", "topology",
                                     "batch", "metric", "value", "source"};

std::string trim(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t\r");
    if (begin == std::string::npos) return "";
    return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

std::int64_t parse_count(const std::string& text, const std::string& where, std::int64_t min) {
    std::size_t used = 0;
    long long value = 0;
    try {
        value = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    require(used == text.size() && !text.empty(), where + " must be a whole number, got '" + text + "'");
    require(value >= min && value <= 10'000'000, where + " = " + text + " is out of range [" + std::to_string(min) +
                                                     ", 10000000]");
    return value;
}

double parse_value(const std::string& text, const std::string& where) {
    std::size_t used = 0;
    double value = 0.0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    require(used == text.size() && !text.empty(), where + " must be a number, got '" + text + "'");
    require(value > 0.0 && value < 1e12, where + " must be positive, got " + text);
    return value;
}

bool is_preset(const std::string& name) {
    for (const auto& preset : model::model_preset_names()) {
        if (preset == name) return true;
    }
    return false;
}

}  // namespace

const char* metric_name(Metric metric) {
    return metric == Metric::tokens_per_second_per_user ? "tokens_per_second_per_user" : "time_to_first_token_seconds";
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    for (auto& field : fields) field = trim(field);
    return fields;
}

std::vector<Measurement> parse_measurements(const std::string& text, const std::string& origin) {
    std::istringstream in(text);
    std::string line;
    std::vector<std::string> header;
    while (header.empty() && std::getline(in, line)) {
        if (!trim(line).empty() && trim(line)[0] != '#') header = split_csv_line(line);
    }
    require(!header.empty(), origin + ": no header line (the columns " + std::string(kRequired[0]) + ", ...)");
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
    for (const char* name : kRequired) {
        require(column.contains(name), origin + ": missing column '" + std::string(name) + "'");
    }
    std::vector<Measurement> rows;
    while (std::getline(in, line)) {
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        Measurement m;
        m.row = rows.size() + 1;
        const std::string at = origin + " row " + std::to_string(m.row);
        const auto fields = split_csv_line(line);
        require(fields.size() == header.size(), at + ": " + std::to_string(fields.size()) + " fields, the header has " +
                                                    std::to_string(header.size()));
        const auto field = [&](const char* name) { return fields[column.at(name)]; };
        m.model = field("model");
        require(!m.model.empty(), at + ": no model");
        require(is_preset(m.model) || std::filesystem::exists(m.model),
                at + ": model '" + m.model + "' is neither a model preset nor an existing file");
        m.dtype = field("dtype");
        if (!m.dtype.empty()) {
            try {
                model::weight_dtype_from_name(m.dtype);
            } catch (const Error& e) {
                throw Error(at + ": " + e.what());
            }
        }
        m.context = parse_count(field("context"), at + ": context", 1);
        m.chips = parse_count(field("chips"), at + ": chips", 1);
        m.topology = field("topology");
        m.batch = parse_count(field("batch"), at + ": batch", 1);
        if (column.contains("prompt_tokens") && !field("prompt_tokens").empty()) {
            m.prompt_tokens = parse_count(field("prompt_tokens"), at + ": prompt_tokens", 1);
        }
        const std::string metric = field("metric");
        if (metric == metric_name(Metric::tokens_per_second_per_user)) {
            m.metric = Metric::tokens_per_second_per_user;
        } else if (metric == metric_name(Metric::time_to_first_token_seconds)) {
            m.metric = Metric::time_to_first_token_seconds;
        } else {
            throw Error(at + ": unknown metric '" + metric + "' (tokens_per_second_per_user or " +
                        "time_to_first_token_seconds)");
        }
        m.value = parse_value(field("value"), at + ": value");
        m.source = field("source");
        rows.push_back(std::move(m));
    }
    require(!rows.empty(), origin + ": no measurements after the header");
    return rows;
}

std::vector<Measurement> read_measurements(const std::string& path) {
    std::error_code error;
    require(std::filesystem::is_regular_file(path, error), "cannot read measurements file '" + path + "'");
    require(std::filesystem::file_size(path, error) <= (std::uintmax_t{1} << 24),
            "measurements file '" + path + "' is larger than 16 MiB");
    std::ifstream in(path, std::ios::binary);
    require(in.good(), "cannot open measurements file '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();
    return parse_measurements(text.str(), path);
}

}  // namespace lpu::study
