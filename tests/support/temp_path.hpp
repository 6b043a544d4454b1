#pragma once
// A temp-directory path unique to this test process: CTest runs test cases of
// one suite as separate processes in parallel, so a fixed name would collide.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <string>

namespace lpu::test {

inline std::filesystem::path unique_temp_path(const std::string& tag, const std::string& extension = "") {
    static std::atomic<int> counter{0};
    return std::filesystem::temp_directory_path() /
           ("lpu-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + extension);
}

// A fresh directory of unique_temp_path(tag), removed with everything in it
// when it goes.
class TempDir {
public:
    explicit TempDir(const std::string& tag) : path_(unique_temp_path(tag)) { std::filesystem::create_directories(path_); }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    // Writes `content` to the file `name` in it; returns the file's path.
    std::string write(const std::string& name, const std::string& content) const {
        std::ofstream(file(name), std::ios::binary) << content;
        return file(name);
    }
    // How many entries it holds.
    std::size_t entries() const {
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path_), {}));
    }

private:
    std::filesystem::path path_;
};

}  // namespace lpu::test
