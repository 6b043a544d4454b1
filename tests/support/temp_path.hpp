#pragma once
// A temp-directory path unique to this test process: CTest runs test cases of
// one suite as separate processes in parallel, so a fixed name would collide.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace lpu::test {

inline std::filesystem::path unique_temp_path(const std::string& tag, const std::string& extension = "") {
    static std::atomic<int> counter{0};
    return std::filesystem::temp_directory_path() /
           ("lpu-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + extension);
}

// A fresh directory of unique_temp_path, removed with everything in it when it goes.
class TempDir {
public:
    explicit TempDir(const std::string& tag) : path_(unique_temp_path(tag)) { std::filesystem::create_directories(path_); }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace lpu::test
