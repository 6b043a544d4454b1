#include "serve/metrics.hpp"

#include <cstdio>

namespace lpu::serve {
namespace {

class Exposition {
public:
    // A metric's HELP and TYPE lines, then its samples (`labels` as `{a="b"}` or empty).
    Exposition& metric(const char* name, const char* type, const char* help) {
        name_ = name;
        text_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
        return *this;
    }
    Exposition& sample(double value, const std::string& labels = "") {
        char number[64];
        std::snprintf(number, sizeof number, "%.17g", value);
        text_ += name_ + labels + " " + number + "\n";
        return *this;
    }
    std::string text() const { return text_; }

private:
    std::string name_;
    std::string text_;
};

double ratio(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

}  // namespace

void HttpCounters::count(int status) {
    const std::lock_guard lock(mutex_);
    ++by_status_[status];
}

std::map<int, std::uint64_t> HttpCounters::by_status() const {
    const std::lock_guard lock(mutex_);
    return by_status_;
}

std::string prometheus_text(const engine::BatchStats& stats, const std::map<int, std::uint64_t>& requests_by_status) {
    Exposition out;
    out.metric("lpu_http_requests_total", "counter", "HTTP requests answered, by status code.");
    for (const auto& [status, count] : requests_by_status) {
        out.sample(static_cast<double>(count), "{code=\"" + std::to_string(status) + "\"}");
    }
    out.metric("lpu_requests_finished_total", "counter", "Generation requests ended, by reason.");
    for (const auto reason : {engine::FinishReason::stop, engine::FinishReason::length, engine::FinishReason::cancelled}) {
        out.sample(static_cast<double>(stats.finished[static_cast<int>(reason)]),
                   std::string("{reason=\"") + engine::finish_reason_name(reason) + "\"}");
    }
    out.metric("lpu_prompt_tokens_total", "counter", "Prompt tokens fed to the model.")
        .sample(static_cast<double>(stats.prompt_tokens));
    out.metric("lpu_completion_tokens_total", "counter", "Tokens generated.")
        .sample(static_cast<double>(stats.completion_tokens));
    out.metric("lpu_requests_waiting", "gauge", "Requests queued for a batch slot.").sample(stats.waiting);
    out.metric("lpu_batch_slots", "gauge", "Batch slots of the model (the plan's batch).").sample(stats.slots);
    out.metric("lpu_batch_slots_busy", "gauge", "Batch slots holding a request now.").sample(stats.busy_slots);
    out.metric("lpu_steps_total", "counter", "Model steps run (one token for every slot).")
        .sample(static_cast<double>(stats.steps));
    out.metric("lpu_batch_occupancy_ratio", "gauge", "Busy slots over all slots, averaged over every step so far.")
        .sample(ratio(static_cast<double>(stats.busy_slot_steps), static_cast<double>(stats.steps) * stats.slots));
    out.metric("lpu_step_host_seconds_total", "counter", "Host time spent in model steps.").sample(stats.host_seconds);
    out.metric("lpu_step_emulated_seconds_total", "counter",
               "Emulated LPU time of the model steps, back to back (the plan's cycles).")
        .sample(stats.emulated_seconds);
    out.metric("lpu_host_tokens_per_second", "gauge",
               "Prompt and completion tokens per second of host step time, since the start.")
        .sample(ratio(static_cast<double>(stats.prompt_tokens + stats.completion_tokens), stats.host_seconds));
    out.metric("lpu_emulated_tokens_per_second", "gauge",
               "Prompt and completion tokens per second of emulated step time, since the start.")
        .sample(ratio(static_cast<double>(stats.prompt_tokens + stats.completion_tokens), stats.emulated_seconds));
    return out.text();
}

}  // namespace lpu::serve
