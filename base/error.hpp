#pragma once
// The project's one exception type. Anything a user can cause (bad files, bad
// flags, a model that does not fit) throws lpu::Error with a message that names
// the problem; the command line prints it as "error: ..." and exits 2.
#include <stdexcept>
#include <string>
#include <type_traits>

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

// The same with the message built only on failure, for checks on hot paths:
// require(ok, [&] { return "chip " + std::to_string(id) + " ..."; }).
template <class MakeMessage>
    requires std::is_invocable_r_v<std::string, MakeMessage>
inline void require(bool condition, MakeMessage&& make_message) {
    if (!condition) throw Error(make_message());
}

}  // namespace lpu
