#pragma once
// Stop strings over streamed text: the completion ends before the first stop
// string, and no piece of a stop string is ever handed out. Text that could
// still turn out to begin a stop string is held back until the next piece
// decides.
#include <string>
#include <string_view>
#include <vector>

namespace lpu::engine {

class StopText {
public:
    explicit StopText(std::vector<std::string> stops);

    // Appends `piece`; returns the text that is now certain to be output.
    // After a stop string has appeared, stopped() is true and nothing more is output.
    std::string append(std::string_view piece);
    // The text held back, output when the completion ends without a stop string.
    std::string flush();

    bool stopped() const { return stopped_; }
    const std::string& text() const { return text_; }  // everything output so far

private:
    std::vector<std::string> stops_;
    std::string text_;     // output
    std::string pending_;  // held back: a suffix that begins some stop string
    bool stopped_ = false;
};

}  // namespace lpu::engine
