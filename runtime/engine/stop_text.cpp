#include "runtime/engine/stop_text.hpp"

#include <algorithm>

namespace lpu::engine {

StopText::StopText(std::vector<std::string> stops) : stops_(std::move(stops)) {
    std::erase_if(stops_, [](const std::string& stop) { return stop.empty(); });
}

std::string StopText::append(std::string_view piece) {
    if (stopped_) return {};
    pending_ += piece;
    // The earliest complete stop string ends the text there.
    std::size_t cut = std::string::npos;
    for (const std::string& stop : stops_) cut = std::min(cut, pending_.find(stop));
    if (cut != std::string::npos) {
        stopped_ = true;
        std::string out = pending_.substr(0, cut);
        pending_.clear();
        text_ += out;
        return out;
    }
    // Hold back the longest suffix that is a proper prefix of some stop string.
    std::size_t held = 0;
    for (const std::string& stop : stops_) {
        const std::size_t longest = std::min(stop.size() - 1, pending_.size());
        for (std::size_t length = longest; length > held; --length) {
            if (std::string_view(pending_).substr(pending_.size() - length) == std::string_view(stop).substr(0, length)) {
                held = length;
                break;
            }
        }
    }
    std::string out = pending_.substr(0, pending_.size() - held);
    pending_.erase(0, out.size());
    text_ += out;
    return out;
}

std::string StopText::flush() {
    if (stopped_) return {};
    std::string out = std::move(pending_);
    pending_.clear();
    text_ += out;
    return out;
}

}  // namespace lpu::engine
