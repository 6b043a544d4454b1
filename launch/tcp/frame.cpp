#include "launch/tcp/frame.hpp"

#include <capnp/serialize.h>

#include "base/error.hpp"

namespace lpu::launch::tcp {

void write_frame(asio::ip::tcp::socket& socket, capnp::MessageBuilder& message, const std::string& peer) {
    const kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
    const auto bytes = words.asBytes();
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(bytes.size()) >> (8 * i));
    asio::error_code error;
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(length, sizeof length),
                                                       asio::buffer(bytes.begin(), bytes.size())};
    asio::write(socket, buffers, error);
    if (error) throw Error("sending to " + peer + " failed: " + error.message());
}

Frame read_frame(asio::ip::tcp::socket& socket, const std::string& peer, std::uint64_t max_frame_bytes) {
    std::uint8_t length_bytes[8];
    asio::error_code error;
    asio::read(socket, asio::buffer(length_bytes, sizeof length_bytes), error);
    if (error == asio::error::eof) throw Error(peer + " closed the connection");
    if (error) throw Error("receiving from " + peer + " failed: " + error.message());
    std::uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length |= static_cast<std::uint64_t>(length_bytes[i]) << (8 * i);
    if (length == 0 || length > max_frame_bytes || length % sizeof(capnp::word) != 0) {
        throw Error(peer + " sent a frame of " + std::to_string(length) + " bytes (limit " +
                    std::to_string(max_frame_bytes) + ", whole 8-byte words): not this protocol");
    }
    std::vector<capnp::word> words(length / sizeof(capnp::word));
    asio::read(socket, asio::buffer(words.data(), length), error);
    if (error) throw Error(peer + " broke off in the middle of a frame: " + error.message());
    return Frame(std::move(words));
}

schema::WireMessage::Reader Frame::message() {
    try {
        capnp::ReaderOptions options;
        options.traversalLimitInWords = 4 * words_.size() + 1024;
        reader_ = std::make_unique<capnp::FlatArrayMessageReader>(kj::arrayPtr(words_.data(), words_.size()), options);
        return reader_->getRoot<schema::WireMessage>();
    } catch (const kj::Exception& e) {
        throw Error(std::string("malformed wire message: ") + e.getDescription().cStr());
    }
}

}  // namespace lpu::launch::tcp
