#pragma once
// What every fuzz target shares: the rule that bad input may only end in
// lpu::Error (the CLI's "error: ..., exit 2"), and a way to hand the input to
// readers that take a file path.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace lpu::fuzz {

// Runs `read` on the input. lpu::Error is the expected answer to bad input;
// any other exception would reach the user as "error: internal: ...", which is
// a bug, so it stops the fuzzer like a crash does.
template <class Read>
int expect_only_input_errors(Read&& read) {
    try {
        read();
    } catch (const Error&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "not an input error: %s\n", e.what());
        std::abort();
    }
    return 0;
}

// The input as a file (in memory where the system has /dev/shm), for readers
// that map a path; removed when it goes out of scope.
class InputFile {
public:
    InputFile(const std::uint8_t* data, std::size_t size, const char* extension) {
        const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        path_ = std::string(dir) + "/lpu-fuzz-" + std::to_string(getpid()) + extension;
        std::FILE* file = std::fopen(path_.c_str(), "wb");
        if (file == nullptr) std::abort();
        if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
        std::fclose(file);
    }
    ~InputFile() { std::remove(path_.c_str()); }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace lpu::fuzz
