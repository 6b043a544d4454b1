#include "topology/topology_io.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.hpp"
#include "base/output_file.hpp"

namespace lpu::topology {
namespace {

// Far above the 10,440-chip system's files (~3 MB of JSON); keeps a wrong path
// (a model file) from being read into memory, and bounds what a file can make
// us allocate.
constexpr std::uintmax_t max_topology_file_bytes = 64ull << 20;

enum class FileForm { json, capnp };

bool ends_with(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

FileForm form_of(const std::string& path) {
    if (ends_with(path, ".json")) return FileForm::json;
    if (ends_with(path, ".topo.bin")) return FileForm::capnp;
    throw Error("topology file '" + path + "': unknown extension, expected .json or .topo.bin");
}

std::string read_file(const std::string& path) {
    std::error_code error;
    require(std::filesystem::is_regular_file(path, error), "cannot open topology file '" + path + "': not a regular file");
    const auto size_bytes = std::filesystem::file_size(path, error);
    require(!error && size_bytes <= max_topology_file_bytes,
            "topology file '" + path + "' is larger than " + std::to_string(max_topology_file_bytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    require(in.good(), "cannot open topology file '" + path + "': " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

Topology load_topology_file(const std::string& path) {
    const FileForm form = form_of(path);
    const std::string content = read_file(path);
    return form == FileForm::json ? topology_from_json_text(content, path) : topology_from_capnp_bytes(content, path);
}

void save_topology_file(const Topology& topology, const std::string& path) {
    write_file(path, form_of(path) == FileForm::json ? topology_to_json_text(topology) : topology_to_capnp_bytes(topology));
}

}  // namespace lpu::topology
