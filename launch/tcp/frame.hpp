#pragma once
// Frames on a TCP connection: an 8-byte little-endian length, then one
// unpacked Cap'n Proto message (schema/wire.capnp). Every frame is checked
// against a size limit before anything is allocated for it, and its message
// against a traversal limit, so a broken or hostile peer cannot make a
// process allocate without bound.
#include <cstdint>
#include <string>
#include <vector>

#include <asio.hpp>
#include <capnp/message.h>
#include <capnp/serialize.h>

#include "schema/wire.capnp.h"

namespace lpu::launch::tcp {

// The wire protocol this build speaks (checked in Job and Hello).
constexpr std::uint32_t protocol_version = 2;  // 2: the fabric messages

// Largest frame accepted by default: a plan file or one transfer's bytes.
constexpr std::uint64_t default_max_frame_bytes = std::uint64_t{1} << 30;

// Writes `message` as one frame (blocking until sent). Throws lpu::Error naming `peer` on failure.
void write_frame(asio::ip::tcp::socket& socket, capnp::MessageBuilder& message, const std::string& peer);

// A received frame, word-aligned, ready to read as a WireMessage.
class Frame {
public:
    explicit Frame(std::vector<capnp::word> words) : words_(std::move(words)) {}
    schema::WireMessage::Reader message();  // throws lpu::Error on a malformed message

private:
    std::vector<capnp::word> words_;
    std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
};

// Reads one frame; throws lpu::Error naming `peer` when the connection ends,
// fails, or announces a frame larger than `max_frame_bytes` or not made of words.
Frame read_frame(asio::ip::tcp::socket& socket, const std::string& peer,
                 std::uint64_t max_frame_bytes = default_max_frame_bytes);

}  // namespace lpu::launch::tcp
