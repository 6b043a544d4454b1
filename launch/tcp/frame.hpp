#pragma once
// Frames on a TCP connection: an 8-byte little-endian length, one unpacked
// Cap'n Proto message (schema/wire.capnp) of that many bytes, and after a
// ChipMessage its payload, raw (so it can be put straight where its receive
// wants it). A FrameReader takes bytes as they come and allocates only as
// far as they reach: a header that announces a gigabyte costs nothing until
// the gigabyte arrives. Every length is checked against a limit and every
// message's pointers against its bounds (with a traversal limit) before
// anything uses it, so a broken or hostile peer gets an lpu::Error, never a
// crash or a runaway allocation.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include "base/error.hpp"
#include "schema/wire.capnp.h"

namespace lpu::launch::tcp {

// The wire protocol this build speaks (checked in Job and Hello).
constexpr std::uint32_t protocol_version = 4;  // 3: chip payloads after their frame, heartbeats; 4: a position per sequence

// Largest message (a job carries a plan file) and largest chip payload.
constexpr std::uint64_t kMaxMessageBytes = std::uint64_t{1} << 30;
constexpr std::uint64_t kMaxPayloadBytes = std::uint64_t{1} << 31;

// Appends one frame holding `message` to `out`, and `payload` after it (the
// payload of a chip message, whose payloadBytes must say its size).
void append_frame(std::vector<std::byte>& out, capnp::MessageBuilder& message, std::span<const std::byte> payload = {});

// The words of a received message. Plain 64-bit integers: capnp::word may
// not be copied or moved under clang, so a std::vector of it cannot grow.
using MessageWords = std::vector<std::uint64_t>;
static_assert(sizeof(std::uint64_t) == sizeof(capnp::word) && alignof(std::uint64_t) >= alignof(capnp::word));

// A received message, word-aligned.
class Frame {
public:
    explicit Frame(MessageWords words) : words_(std::move(words)) {}
    // Checked on the first call (every pointer in bounds): throws lpu::Error
    // on a malformed message.
    schema::WireMessage::Reader message();

private:
    MessageWords words_;
    std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
};

// Runs `read`, which reads fields of a received message, and turns a Cap'n
// Proto complaint (a pointer of another kind than the schema's) into an
// lpu::Error saying what was being read.
template <class Read>
decltype(auto) read_fields(const char* what, Read&& read) {
    try {
        return read();
    } catch (const kj::Exception& e) {
        throw Error(std::string("malformed ") + what + ": " + e.getDescription().cStr());
    }
}

class FrameReader {
public:
    // What the reader found in the bytes it was fed, in order.
    class Handler {
    public:
        virtual ~Handler() = default;
        // A whole message. After a chip message, its payload follows in pieces.
        virtual void on_message(Frame& frame) = 0;
        virtual void on_payload(std::span<const std::byte> piece) = 0;
        virtual void on_payload_end() = 0;
    };

    explicit FrameReader(std::uint64_t max_message_bytes = kMaxMessageBytes);

    // Takes all of `bytes` (a frame may end anywhere in them) and tells the
    // handler. Throws lpu::Error on a length over the limit or not made of
    // whole words, or a malformed message; the reader is then unusable.
    void feed(std::span<const std::byte> bytes, Handler& handler);
    // Nothing half-read: the next byte starts a frame.
    bool between_frames() const { return state_ == State::length && have_ == 0; }
    // How many bytes the current part of a frame still needs (for a reader
    // that wants one frame and not a byte more).
    std::size_t wanted() const;
    // Bytes allocated for the message being read (they follow what arrived).
    std::size_t allocated_bytes() const { return words_.capacity() * sizeof(std::uint64_t); }

private:
    enum class State { length, message, payload };
    void start_message(std::uint64_t length);

    std::uint64_t max_message_bytes_;
    State state_ = State::length;
    std::byte length_bytes_[8] = {};
    std::size_t have_ = 0;          // bytes of the current part so far
    std::uint64_t part_bytes_ = 0;  // its size (message or payload)
    MessageWords words_;
};

}  // namespace lpu::launch::tcp
