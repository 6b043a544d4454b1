#pragma once
// A table of published (or simulated) measurements to calibrate a chip spec
// against: one CSV row per measurement, with a header naming the columns in
// any order:
//   model          a preset name (llama2-70b) or the path of a GGUF file
//   dtype          int8, fp8, fp16 or fp32 (empty: int8 for a preset, the file's own)
//   context        KV-cache positions of the deployment; the per-user rate is the
//                  decode step at its last position, as `lpu sim` reports it
//   chips          chips of the system
//   topology       fc:N, dragonfly:R, ... (empty: lpu sim's default for the chips)
//   batch          sequences per decode step
//   metric         tokens_per_second_per_user or time_to_first_token_seconds
//   value          the measurement, > 0
//   source         where it comes from (free text; quote it if it has commas)
// and optionally prompt_tokens (for time to first token; default 128).
// Every error names the file and the row (1 = the first row after the header).
#include <cstdint>
#include <string>
#include <vector>

namespace lpu::study {

enum class Metric { tokens_per_second_per_user, time_to_first_token_seconds };
const char* metric_name(Metric metric);

struct Measurement {
    std::size_t row = 0;  // 1-based, after the header
    std::string model;
    std::string dtype;
    std::int64_t context = 0;
    std::int64_t chips = 0;
    std::string topology;
    std::int64_t batch = 1;
    std::int64_t prompt_tokens = 128;
    Metric metric = Metric::tokens_per_second_per_user;
    double value = 0.0;
    std::string source;
};

// Throws lpu::Error naming the file and row of the first problem: a missing
// column, a field that is not a number or out of range, an unknown metric or
// model preset (or a model file that cannot be opened), a non-positive value.
std::vector<Measurement> read_measurements(const std::string& path);
std::vector<Measurement> parse_measurements(const std::string& text, const std::string& origin);

// The fields of one CSV line; double quotes enclose a field with commas ("" is a quote).
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace lpu::study
