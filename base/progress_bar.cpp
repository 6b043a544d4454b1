#include "base/progress_bar.hpp"

#include <unistd.h>

namespace lpu {

ProgressBar::ProgressBar(std::FILE* stream, std::size_t total, bool enabled)
    : stream_(stream),
      total_(total),
      enabled_(enabled),
      terminal_(isatty(fileno(stream)) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(std::size_t done, const std::string& label) {
    if (!enabled_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (!terminal_) {
        std::fprintf(stream_, "[%zu/%zu] %6.1f s  %s\n", done, total_, elapsed, label.c_str());
        std::fflush(stream_);
        return;
    }
    constexpr std::size_t width = 30;
    const std::size_t filled = total_ == 0 ? width : width * done / total_;
    const std::string bar = std::string(filled, '=') + std::string(width - filled, ' ');
    // \033[K clears what a longer label left on the line.
    std::fprintf(stream_, "\r[%s] %zu/%zu %6.1f s  %s\033[K", bar.c_str(), done, total_, elapsed, label.c_str());
    std::fflush(stream_);
}

void ProgressBar::clear() {
    if (!enabled_ || !terminal_) return;
    std::fputs("\r\033[K", stream_);
    std::fflush(stream_);
}

void ProgressBar::finish() {
    if (enabled_ && terminal_) std::fputc('\n', stream_);
}

}  // namespace lpu
