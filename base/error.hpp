#pragma once
// The project's two ends of a failed check, kept apart so a bug never passes
// for bad input (ggml's GGML_ASSERT beside llama.cpp's loader errors):
// - lpu::Error (from `require`): anything a user can cause (bad files, bad
//   flags, a peer's malformed message, a model that does not fit). Its message
//   names the problem; the command line prints "error: ..." and exits 2.
// - lpu::InternalError (from `invariant`): a condition only a bug in lpu can
//   break (a schedule builder's own output, an index the code computed). The
//   command line prints "error: internal: ..." and exits 1.
// When a check could be tripped by input of any kind, it is `require`.
#include <stdexcept>
#include <string>
#include <type_traits>

namespace lpu {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Not an lpu::Error on purpose: code that catches bad input (a sweep point that
// does not fit, a peer that sent garbage) must not swallow a bug with it.
class InternalError : public std::logic_error {
public:
    explicit InternalError(const std::string& message) : std::logic_error(message) {}
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

// Throws lpu::InternalError(message) when the condition is false: for what
// only a bug can break, never for input.
inline void invariant(bool condition, const std::string& message) {
    if (!condition) throw InternalError(message);
}

template <class MakeMessage>
    requires std::is_invocable_r_v<std::string, MakeMessage>
inline void invariant(bool condition, MakeMessage&& make_message) {
    if (!condition) throw InternalError(make_message());
}

}  // namespace lpu
