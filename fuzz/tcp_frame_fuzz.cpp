// What a TCP worker or coordinator reads from a connection (launch/tcp/). The
// first byte picks who reads (its low bit: a worker or the coordinator) and
// the size of each read (the rest: so frames end anywhere in a read); the
// other bytes are the peer's stream, framed by FrameReader, every message
// handled as the mesh does: a job checked against the seed model, hellos
// against that job, chip messages landed in a bounded mailbox, and the run
// protocol's messages taken by the reader's inbox.
// A hostile peer may only cause an lpu::Error (the connection is dropped).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/seed_model.hpp"
#include "launch/remote_mailbox.hpp"
#include "launch/tcp/frame.hpp"
#include "launch/tcp/handshake.hpp"
#include "launch/tcp/run_protocol.hpp"
#include "runtime/model/model_file.hpp"

namespace {

using namespace lpu::launch;

// The model a job must be compiled for (written once; the mapping outlives the file).
const lpu::model::ModelFile& seed_model() {
    static const std::unique_ptr<lpu::model::ModelFile> file = [] {
        const std::string path = "/tmp/lpu-fuzz-model-" + std::to_string(getpid()) + ".gguf";
        lpu::model::write_synthetic_model(lpu::fuzz::seed_model_shape(), path);
        auto opened = lpu::model::open_model(path);
        std::remove(path.c_str());
        return opened;
    }();
    return *file;
}

// The peer is rank 2 to the coordinator; a worker (rank 1) reads the coordinator.
constexpr int kPeer = 2;

class Reader final : public tcp::FrameReader::Handler {
public:
    explicit Reader(bool worker) : inbox_(worker ? 1 : 0), peer_(worker ? 0 : kPeer) { inbox_.take_logits_from(kPeer); }

    void on_message(tcp::Frame& frame) override {
        const auto message = frame.message();
        tcp::read_fields("message", [&] {
            switch (message.which()) {
                case lpu::schema::WireMessage::JOB:
                    job_ = tcp::read_job(message.getJob(), seed_model());
                    return;
                case lpu::schema::WireMessage::HELLO:
                    if (job_) (void)tcp::read_hello(message.getHello(), *job_);
                    return;
                case lpu::schema::WireMessage::HEARTBEAT:
                    return;
                case lpu::schema::WireMessage::ABORT:  // the peer failed: the run ends
                    throw lpu::Error(std::string("the peer failed: ") + message.getAbort().cStr());
                case lpu::schema::WireMessage::CHIP_MESSAGE: {
                    const auto header = message.getChipMessage();
                    landing_ = mailbox_.land(peer_, {header.getSrc(), header.getDst(), header.getTag()},
                                             static_cast<std::size_t>(header.getPayloadBytes()));
                    filled_ = 0;
                    return;
                }
                default:
                    inbox_.on_message(peer_, message);
            }
        });
    }
    void on_payload(std::span<const std::byte> piece) override {
        mailbox_.fill(*landing_, filled_, piece);
        filled_ += piece.size();
    }
    void on_payload_end() override {
        mailbox_.arrived(std::move(*landing_));
        landing_.reset();
    }

private:
    std::optional<tcp::Job> job_;
    RemoteMailbox mailbox_{std::uint64_t{1} << 20};
    std::optional<RemoteMailbox::Landing> landing_;
    std::size_t filled_ = 0;
    tcp::RunInbox inbox_;
    int peer_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool worker = (data[0] & 1) != 0;
    const std::size_t read_size = static_cast<std::size_t>(data[0] >> 1) + 1;
    const auto stream = std::as_bytes(std::span(data + 1, size - 1));
    return lpu::fuzz::expect_only_input_errors([&] {
        Reader handler(worker);
        tcp::FrameReader reader;
        for (std::size_t at = 0; at < stream.size(); at += read_size) {
            reader.feed(stream.subspan(at, std::min(read_size, stream.size() - at)), handler);
        }
    });
}
