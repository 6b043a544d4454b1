#pragma once
// The project's one exception type. Anything a user can cause (bad files, bad
// flags, a model that does not fit) throws lpu::Error with a message that names
// the problem; the command line prints it as "error: ..." and exits 2.
#include <stdexcept>
#include <string>

namespace lpu {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws lpu::Error(message) when the condition is false. For validating input,
// not for internal invariants.
inline void require(bool condition, const std::string& message) {
    if (!condition) throw Error(message);
}

}  // namespace lpu
