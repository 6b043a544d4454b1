// Frames on a TCP connection (launch/tcp/frame.hpp): what is written is read
// back whatever the bytes' split into reads; memory follows the bytes that
// arrived, not the length a header announces; and every malformed frame is an
// lpu::Error, never a crash.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "launch/tcp/frame.hpp"
#include "tests/support/paths.hpp"

namespace lpu::launch::tcp {
namespace {

struct Seen final : FrameReader::Handler {
    void on_message(Frame& frame) override {
        const auto message = frame.message();
        if (message.isChipMessage()) {
            kinds.push_back("chip " + std::to_string(message.getChipMessage().getTag()));
            payloads.emplace_back();
        } else if (message.isAbort()) {
            kinds.push_back(std::string("abort ") + message.getAbort().cStr());
        } else {
            kinds.push_back("other");
        }
    }
    void on_payload(std::span<const std::byte> piece) override {
        payloads.back().insert(payloads.back().end(), piece.begin(), piece.end());
    }
    void on_payload_end() override { ++payload_ends; }

    std::vector<std::string> kinds;
    std::vector<std::vector<std::byte>> payloads;
    int payload_ends = 0;
};

void append_chip(std::vector<std::byte>& out, std::uint64_t tag, const std::vector<std::byte>& payload) {
    capnp::MallocMessageBuilder message;
    auto chip = message.initRoot<schema::WireMessage>().initChipMessage();
    chip.setSrc(1);
    chip.setDst(2);
    chip.setTag(tag);
    chip.setPayloadBytes(payload.size());
    append_frame(out, message, payload);
}

void append_abort(std::vector<std::byte>& out, const std::string& why) {
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().setAbort(why);
    append_frame(out, message);
}

std::vector<std::byte> length_header(std::uint64_t length) {
    std::vector<std::byte> bytes(8);
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::byte>(length >> (8 * i));
    return bytes;
}

}  // namespace

TEST_CASE("frames: messages and payloads read back whatever the split of the bytes", "[launch][tcp]") {
    std::vector<std::byte> payload(70000);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::byte>(i * 7);
    std::vector<std::byte> stream;
    append_chip(stream, 5, payload);
    append_abort(stream, "why");
    append_chip(stream, 6, {});
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, stream.size()}) {
        CAPTURE(piece);
        FrameReader reader;
        Seen seen;
        for (std::size_t at = 0; at < stream.size(); at += piece) {
            reader.feed(std::span(stream).subspan(at, std::min(piece, stream.size() - at)), seen);
        }
        CHECK(reader.between_frames());
        CHECK(seen.kinds == std::vector<std::string>{"chip 5", "abort why", "chip 6"});
        REQUIRE(seen.payloads.size() == 2);
        CHECK(seen.payloads[0] == payload);
        CHECK(seen.payloads[1].empty());
        CHECK(seen.payload_ends == 2);
    }
}

TEST_CASE("frames: a header announcing a gigabyte allocates only for the bytes that came", "[launch][tcp]") {
    FrameReader reader;
    Seen seen;
    reader.feed(length_header(std::uint64_t{1} << 30), seen);
    CHECK(reader.allocated_bytes() == 0);
    reader.feed(std::vector<std::byte>(4096), seen);
    CHECK(reader.allocated_bytes() <= 8192);
    CHECK_FALSE(reader.between_frames());
    CHECK(reader.wanted() == (std::size_t{1} << 30) - 4096);
}

TEST_CASE("frames: malformed frames are errors that say what is wrong", "[launch][tcp]") {
    Seen seen;
    const auto fails_with = [&](const std::vector<std::byte>& bytes, const std::string& what) {
        FrameReader reader;
        CHECK_THROWS_WITH(reader.feed(bytes, seen), Catch::Contains(what));
    };
    fails_with(length_header(0), "a frame of 0 bytes");
    fails_with(length_header(13), "a frame of 13 bytes");                 // not whole words
    fails_with(length_header(std::uint64_t{1} << 40), "(limit 1073741824");
    // Words that are no Cap'n Proto message: a segment table claiming 2^31 segments.
    std::vector<std::byte> junk = length_header(16);
    junk.resize(24, std::byte{0xFF});
    fails_with(junk, "malformed wire message");
    // A chip message announcing more than a payload may hold.
    std::vector<std::byte> huge;
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().initChipMessage().setPayloadBytes(std::uint64_t{1} << 40);
    append_frame(huge, message);
    fails_with(huge, "a chip message announcing 1099511627776 bytes");
    // Found by tcp_frame_fuzz: a message whose chip-message pointer is a list,
    // not a struct (Cap'n Proto complains only when the field is read).
    std::ifstream in(lpu::test::source_dir() / "tests" / "data" / "tcp" /
                         "chip-message-pointer-not-a-struct.frames",
                     std::ios::binary);
    std::vector<std::byte> found;
    for (auto it = std::istreambuf_iterator<char>(in); it != std::istreambuf_iterator<char>(); ++it) {
        found.push_back(static_cast<std::byte>(*it));
    }
    REQUIRE(!found.empty());
    fails_with(found, "malformed chip message");
}

}  // namespace lpu::launch::tcp
