// A hostile or broken peer for an `lpu worker`, run by tests/launch/tcp/hostile_peer_test.cpp:
//
//   tcp_probe HOST:PORT CASE [MODEL [WORKER_PID]]
//
// Connects and does one thing wrong, then reads what the worker answers until
// it closes the connection, and prints one line per answer: "ready",
// "refused: <why>", "aborted: <why>", and at the end "closed".
//   announce-huge   a frame header announcing 2^30 bytes (the largest allowed), then nothing
//   oversize        a frame header announcing 2^40 bytes
//   half-frame      half of a 64-byte frame
//   silent          nothing at all
//   garbage         a 13-byte "frame" (not whole words)
// With MODEL, as a coordinator of a job for that model (a 4-chip plan):
//   bad-pointer     a job whose rankOfChip list points out of the message
//   short-rank-of-chip, negative-rank, huge-rank, huge-ranks, old-protocol
//                   a job with that field wrong
//   unknown-peer    a valid job whose other worker is at a host that does not exist
//   flood           a valid job (2 chips outside the plan are the coordinator's),
//                   then 64 chip messages of 8 MiB nobody asked for; with
//                   WORKER_PID it also prints "worker_peak_rss_kb=<the worker's peak
//                   resident size seen meanwhile>"
// MODEL and WORKER_PID are ignored where they are not needed. Exits 0 when it
// did what it was asked (whatever the worker answered).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include "launch/rank_placement.hpp"
#include "launch/tcp/endpoint.hpp"
#include "launch/tcp/frame.hpp"
#include "launch/tcp/handshake.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;
using asio::ip::tcp;

namespace {

std::vector<std::byte> length_header(std::uint64_t length) {
    std::vector<std::byte> bytes(8);
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::byte>(length >> (8 * i));
    return bytes;
}

// Prints every answer of the worker.
class Answers final : public launch::tcp::FrameReader::Handler {
public:
    void on_message(launch::tcp::Frame& frame) override {
        const auto message = frame.message();
        if (message.isReady()) std::printf("ready\n");
        if (message.isRefuse()) std::printf("refused: %s\n", message.getRefuse().cStr());
        if (message.isAbort()) std::printf("aborted: %s\n", message.getAbort().cStr());
        ready_ = ready_ || message.isReady();
        aborted_ = aborted_ || message.isAbort();
        std::fflush(stdout);
    }
    void on_payload(std::span<const std::byte>) override {}
    void on_payload_end() override {}
    bool ready() const { return ready_; }
    bool aborted() const { return aborted_; }

    // Reads what has arrived; with `block`, waits for something first. False when the connection ended.
    bool read(tcp::socket& socket, bool block) {
        asio::error_code error;
        if (!block && socket.available(error) == 0) return !error;
        const std::size_t bytes = socket.read_some(asio::buffer(buffer_), error);
        if (error) return false;
        reader_.feed(std::span(buffer_.data(), bytes), *this);
        return true;
    }

private:
    launch::tcp::FrameReader reader_;
    std::vector<std::byte> buffer_ = std::vector<std::byte>(1 << 16);
    bool ready_ = false;
    bool aborted_ = false;
};

// Prints the answers until the connection closes.
void read_answers(tcp::socket& socket, Answers& answers) {
    while (answers.read(socket, true)) {
    }
    std::printf("closed\n");
}

long peak_rss_kb(const std::string& pid) {
    std::ifstream status("/proc/" + pid + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

struct CompiledJob {
    std::string plan_bytes;
    std::string spec_json;
    launch::tcp::JobPlacement placement;
};

// A plan for `model` and the job of its one worker: on fc:4 at tp 2 for the
// flood (chips 2 and 3 are outside the plan: the coordinator keeps them),
// else on fc:8 at tp 2 x pp 2.
CompiledJob compile_job(const std::string& model_path, const std::string& worker, bool flood) {
    const auto file = model::open_model(model_path);
    const sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    const std::string system = flood ? "fc:4" : "fc:8";
    const auto topology = topology::topology_from_spec(system);
    compiler::CompileOptions options;
    options.tp = 2;
    options.pp = flood ? 1 : 2;
    const plan::Plan plan =
        compiler::compile_plan(file->config(), compiler::model_fingerprint(*file), {&topology, system, &spec}, options);
    launch::RankOfChip placement{std::vector<int>(plan.chips.size(), 1)};
    return {plan::plan_to_bytes(plan), sim::to_json(spec).dump(),
            {1, 2, {"", worker}, launch::chip_layout(plan, placement).rank_of_chip, 1}};
}

std::vector<std::byte> job_frame(const CompiledJob& job, const std::string& wrong) {
    launch::tcp::JobPlacement placement = job.placement;
    if (wrong == "short-rank-of-chip") placement.rank_of_chip.pop_back();
    if (wrong == "negative-rank") placement.rank_of_chip.front() = -5;
    if (wrong == "unknown-peer") {
        placement.rank = 2;
        placement.ranks = 3;
        placement.endpoints = {"", "nosuch.invalid:7000", job.placement.endpoints[1]};
        for (std::size_t c = 0; c < placement.rank_of_chip.size() / 2; ++c) placement.rank_of_chip[c] = 1;
        for (std::size_t c = placement.rank_of_chip.size() / 2; c < placement.rank_of_chip.size(); ++c) {
            placement.rank_of_chip[c] = 2;
        }
    }
    capnp::MallocMessageBuilder message;
    auto built = message.initRoot<schema::WireMessage>().initJob();
    launch::tcp::build_job(built, job.plan_bytes, job.spec_json, placement);
    if (wrong == "huge-rank") built.setRank(0xFFFFFFFFu);
    if (wrong == "huge-ranks") built.setRanks(0x7FFFFFFFu);
    if (wrong == "old-protocol") built.setProtocolVersion(2);
    std::vector<std::byte> frame;
    launch::tcp::append_frame(frame, message);
    if (wrong == "bad-pointer") {
        // The flat message: the segment table, then segment 0: the root
        // pointer, WireMessage (a data word, a pointer word), then Job (two
        // data words; pointers: plan, chipSpec, endpoints, rankOfChip). The
        // list pointer of rankOfChip, word 8 of segment 0, gets a huge offset.
        std::uint32_t more_segments = 0;
        std::memcpy(&more_segments, frame.data() + 8, 4);
        const std::size_t table_bytes = (4 + 4 * (std::size_t{more_segments} + 1) + 7) / 8 * 8;
        const std::size_t rank_of_chip_pointer = 8 + table_bytes + 8 * 8;
        std::uint64_t pointer = 0;
        std::memcpy(&pointer, frame.data() + rank_of_chip_pointer, 8);
        const bool list_of_int32 = (pointer & 3) == 1 && ((pointer >> 32) & 7) == 4;
        if (!list_of_int32) throw std::runtime_error("the job's layout is not the one assumed");
        pointer = (pointer & ~std::uint64_t{0xFFFFFFFC}) | (std::uint64_t{0x1FFFFFFF} << 2);
        std::memcpy(frame.data() + rank_of_chip_pointer, &pointer, 8);
    }
    return frame;
}

// Sends messages until the worker says it gives up (read between sends, before
// its closing socket resets the connection).
void flood(tcp::socket& socket, Answers& answers, const std::string& worker_pid) {
    const std::size_t bytes = std::size_t{8} << 20;
    const std::vector<std::byte> payload(bytes, std::byte{1});
    long peak = 0;
    for (int sent = 0; sent < 64; ++sent) {
        capnp::MallocMessageBuilder message;
        auto chip = message.initRoot<schema::WireMessage>().initChipMessage();
        chip.setSrc(2);  // a chip outside the plan: the coordinator's
        chip.setDst(0);
        chip.setTag(1000 + static_cast<std::uint64_t>(sent));
        chip.setPayloadBytes(bytes);
        std::vector<std::byte> frame;
        launch::tcp::append_frame(frame, message, payload);
        asio::error_code error;
        asio::write(socket, asio::buffer(frame), error);
        if (!worker_pid.empty()) peak = std::max(peak, peak_rss_kb(worker_pid));
        if (error || !answers.read(socket, false) || answers.aborted()) break;
    }
    if (!worker_pid.empty()) std::printf("worker_peak_rss_kb=%ld\n", peak);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: tcp_probe HOST:PORT CASE [MODEL [WORKER_PID]]\n");
        return 2;
    }
    const std::string address = argv[1], what = argv[2];
    const std::string model_path = argc > 3 ? argv[3] : "";
    asio::io_context io;
    tcp::socket socket = launch::tcp::connect_to(io, launch::tcp::parse_endpoint(address), "the worker",
                                                 std::chrono::steady_clock::now());
    std::vector<std::byte> bytes;
    if (what == "announce-huge") bytes = length_header(std::uint64_t{1} << 30);
    if (what == "oversize") bytes = length_header(std::uint64_t{1} << 40);
    if (what == "half-frame") {
        bytes = length_header(64);
        bytes.resize(8 + 32, std::byte{0});
    }
    if (what == "garbage") {
        bytes = length_header(13);
        bytes.resize(8 + 13, std::byte{0x5A});
    }
    const bool raw = what == "announce-huge" || what == "oversize" || what == "half-frame" || what == "silent" ||
                     what == "garbage";
    if (!raw) {
        if (model_path.empty()) throw std::runtime_error("case '" + what + "' needs a MODEL");
        bytes = job_frame(compile_job(model_path, address, what == "flood"), what);
    }
    asio::write(socket, asio::buffer(bytes));
    Answers answers;
    if (what == "flood") {
        while (!answers.ready() && answers.read(socket, true)) {
        }
        flood(socket, answers, argc > 4 ? argv[4] : "");
    }
    read_answers(socket, answers);
    return 0;
}
