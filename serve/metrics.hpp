#pragma once
// GET /metrics in the Prometheus text format (version 0.0.4): the server's
// HTTP counters beside the batch scheduler's (engine::BatchStats). Every name
// starts with lpu_; the README's "Serving" section lists them.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "runtime/engine/batch_scheduler.hpp"

namespace lpu::serve {

// HTTP answers by status code, counted from every thread that answers.
class HttpCounters {
public:
    void count(int status);
    std::map<int, std::uint64_t> by_status() const;

private:
    mutable std::mutex mutex_;
    std::map<int, std::uint64_t> by_status_;
};

std::string prometheus_text(const engine::BatchStats& stats, const std::map<int, std::uint64_t>& requests_by_status);

}  // namespace lpu::serve
