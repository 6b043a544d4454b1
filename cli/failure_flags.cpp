#include "cli/failure_flags.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "base/error.hpp"

namespace lpu::cli {
namespace {

template <class Number>
bool parse_whole(std::string_view text, Number& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

// "A-B": the two chips of a link.
bool parse_link(std::string_view text, topology::ChipId& a, topology::ChipId& b) {
    const std::size_t dash = text.find('-');
    return dash != std::string_view::npos && parse_whole(text.substr(0, dash), a) &&
           parse_whole(text.substr(dash + 1), b);
}

}  // namespace

study::FailoverRequest parse_fail_flag(const std::string& text) {
    const auto bad = [&] {
        return Error("--fail '" + text + "': expected chip:N@STEP or link:A-B@STEP (N, A, B chips of the topology, "
                     "STEP the positions done when it fails), e.g. chip:5@100 or link:3-4@100");
    };
    const std::string_view view(text);
    const std::size_t at = view.rfind('@');
    if (at == std::string_view::npos) throw bad();
    study::FailoverRequest request;
    if (!parse_whole(view.substr(at + 1), request.step)) throw bad();
    const std::string_view part = view.substr(0, at);
    compiler::Failure& failure = request.failure;
    if (part.starts_with("chip:") && parse_whole(part.substr(5), failure.chip)) {
        failure.kind = compiler::Failure::Kind::chip;
    } else if (part.starts_with("link:") && parse_link(part.substr(5), failure.chip, failure.peer)) {
        failure.kind = compiler::Failure::Kind::link;
    } else {
        throw bad();
    }
    return request;
}

sim::LinkDown parse_link_down_flag(const std::string& text) {
    const std::size_t at = text.rfind('@');
    sim::LinkDown down;
    char* end = nullptr;
    const std::string seconds = at == std::string::npos ? "" : text.substr(at + 1);
    down.at_s = std::strtod(seconds.c_str(), &end);
    const bool time_ok = !seconds.empty() && end == seconds.c_str() + seconds.size() && std::isfinite(down.at_s) &&
                         down.at_s >= 0.0;
    require(time_ok && parse_link(std::string_view(text).substr(0, at), down.a, down.b), [&] {
        return "--link-down '" + text + "': expected A-B@SECONDS (the link between chips A and B, down SECONDS into "
               "the measured window), e.g. 0-1@10";
    });
    return down;
}

}  // namespace lpu::cli
