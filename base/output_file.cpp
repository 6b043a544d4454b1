#include "base/output_file.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <unistd.h>

#include "base/error.hpp"

namespace lpu {
namespace {

// The temporary files a Ctrl-C must remove. A signal handler may read them at any
// moment, so each slot is a fixed buffer published by an atomic flag: the handler
// only reads slots whose flag is set, and unlink(2) is async-signal-safe.
constexpr std::size_t registry_slots = 64;
constexpr std::size_t max_path_bytes = 4096;
struct Slot {
    std::atomic<bool> in_use{false};
    std::atomic<bool> published{false};
    char path[max_path_bytes];
};
std::array<Slot, registry_slots> registry;

int register_temporary(const std::string& path) {
    if (path.size() >= max_path_bytes) return -1;
    for (std::size_t i = 0; i < registry.size(); ++i) {
        bool expected = false;
        if (!registry[i].in_use.compare_exchange_strong(expected, true)) continue;
        std::memcpy(registry[i].path, path.c_str(), path.size() + 1);
        registry[i].published.store(true);
        return static_cast<int>(i);
    }
    return -1;  // more files open at once than slots: that one is left behind on Ctrl-C
}

void unregister_temporary(int slot) {
    if (slot < 0) return;
    registry[static_cast<std::size_t>(slot)].published.store(false);
    registry[static_cast<std::size_t>(slot)].in_use.store(false);
}

std::string describe_errno() { return errno != 0 ? std::strerror(errno) : "write failed"; }

}  // namespace

OutputFile::OutputFile(std::string path, OnInterrupt on_interrupt)
    : path_(std::move(path)), temporary_path_(path_ + ".partial." + std::to_string(getpid())) {
    require(!path_.empty(), "an output file needs a name");
    errno = 0;
    out_.open(temporary_path_, std::ios::binary | std::ios::trunc);
    require(out_.is_open(), [&] { return "cannot write '" + path_ + "': " + describe_errno(); });
    if (on_interrupt == OnInterrupt::remove) registry_slot_ = register_temporary(temporary_path_);
}

OutputFile::~OutputFile() {
    if (committed_) return;
    out_.close();
    unregister_temporary(registry_slot_);
    std::error_code ignored;
    std::filesystem::remove(temporary_path_, ignored);
}

void OutputFile::check() {
    require(out_.good(), [&] { return "cannot write '" + path_ + "': " + describe_errno() + " (disk full?)"; });
}

void OutputFile::commit() {
    errno = 0;
    out_.flush();
    check();
    out_.close();
    require(!out_.fail(), [&] { return "cannot write '" + path_ + "': " + describe_errno(); });
    std::error_code error;
    std::filesystem::rename(temporary_path_, path_, error);
    require(!error, [&] { return "cannot write '" + path_ + "': " + error.message(); });
    unregister_temporary(registry_slot_);
    committed_ = true;
}

void write_file(const std::string& path, std::string_view content) {
    OutputFile file(path);
    file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
    file.commit();
}

void require_free_space(const std::string& path, std::uint64_t bytes, const std::string& what) {
    std::filesystem::path directory = std::filesystem::path(path).parent_path();
    if (directory.empty()) directory = ".";
    std::error_code error;
    const auto space = std::filesystem::space(directory, error);
    require(!error, [&] { return "cannot write '" + path + "': " + error.message(); });
    require(bytes <= space.available, [&] {
        return what + " would take " + std::to_string(bytes) + " bytes, but only " +
               std::to_string(space.available) + " are free where '" + path + "' goes";
    });
}

void remove_unfinished_outputs() noexcept {
    for (auto& slot : registry) {
        if (slot.published.load()) unlink(slot.path);
    }
}

}  // namespace lpu
