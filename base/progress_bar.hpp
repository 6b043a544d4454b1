#pragma once
// A progress bar on a terminal: one line redrawn in place ("\r"), with the
// count, the elapsed time and what is being worked on. When the stream is not
// a terminal (a log, CI), one plain line per step instead, so logs stay readable.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace lpu {

class ProgressBar {
public:
    ProgressBar(std::FILE* stream, std::size_t total, bool enabled);
    // Step `done` of the total has finished; `label` says what comes next or what was done.
    void update(std::size_t done, const std::string& label);
    // Ends the bar's line.
    void finish();
    // Erases the bar from a terminal, so that other output can take its line
    // (the next update draws it again).
    void clear();

private:
    std::FILE* stream_;
    std::size_t total_;
    bool enabled_;
    bool terminal_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace lpu
