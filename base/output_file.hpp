#pragma once
// Files the tool writes appear whole or not at all. The bytes go to a temporary
// file beside the target ("PATH.partial.PID", in the same directory so that the
// final rename is atomic), which replaces the target only once everything was
// written and flushed. A file that cannot be created or written (a missing
// directory, a full disk, a name too long) is an lpu::Error naming the path.
// A write that fails, or an OutputFile destroyed before commit(), removes the
// temporary file; so does Ctrl-C (remove_unfinished_outputs(), called by the
// interrupt handler), unless the file asked to be kept for its partial content.
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace lpu {

class OutputFile {
public:
    enum class OnInterrupt { remove, keep };

    // Opens the temporary file for writing (binary).
    explicit OutputFile(std::string path, OnInterrupt on_interrupt = OnInterrupt::remove);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    const std::string& path() const { return path_; }
    const std::string& temporary_path() const { return temporary_path_; }
    std::ostream& stream() { return out_; }
    // Throws lpu::Error naming the path when a write so far failed (e.g. a full disk).
    void check();
    // Flushes, closes and renames the temporary file to the path.
    void commit();

private:
    std::string path_;
    std::string temporary_path_;
    std::ofstream out_;
    int registry_slot_ = -1;
    bool committed_ = false;
};

// Writes `content` to `path`, whole or not at all.
void write_file(const std::string& path, std::string_view content);

// Throws lpu::Error when `bytes` more would not fit on the file system that holds
// `path` (what the file is, e.g. "the model", names it in the message).
void require_free_space(const std::string& path, std::uint64_t bytes, const std::string& what);

// Removes the temporary files of OutputFiles not yet committed (those that asked
// to be removed). Async-signal-safe: for the Ctrl-C handler.
void remove_unfinished_outputs() noexcept;

}  // namespace lpu
