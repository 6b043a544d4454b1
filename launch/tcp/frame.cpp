#include "launch/tcp/frame.hpp"

#include <algorithm>
#include <cstring>

#include <capnp/any.h>
#include <kj/exception.h>
#include <kj/io.h>

#include "base/error.hpp"

namespace lpu::launch::tcp {
namespace {

// Cap'n Proto writes a message through a kj stream: this one appends to a vector.
class AppendStream final : public kj::OutputStream {
public:
    explicit AppendStream(std::vector<std::byte>& out) : out_(out) {}
    void write(const void* buffer, size_t size) override {
        const auto* bytes = static_cast<const std::byte*>(buffer);
        out_.insert(out_.end(), bytes, bytes + size);
    }

private:
    std::vector<std::byte>& out_;
};

}  // namespace

void append_frame(std::vector<std::byte>& out, capnp::MessageBuilder& message, std::span<const std::byte> payload) {
    const std::uint64_t length = capnp::computeSerializedSizeInWords(message) * sizeof(capnp::word);
    std::byte length_bytes[8];
    for (int i = 0; i < 8; ++i) length_bytes[i] = static_cast<std::byte>(length >> (8 * i));
    out.reserve(out.size() + sizeof length_bytes + length + payload.size());
    out.insert(out.end(), length_bytes, length_bytes + sizeof length_bytes);
    AppendStream stream(out);
    capnp::writeMessage(stream, message);
    out.insert(out.end(), payload.begin(), payload.end());
}

schema::WireMessage::Reader Frame::message() {
    try {
        if (!reader_) {
            capnp::ReaderOptions options;
            options.traversalLimitInWords = 4 * words_.size() + 1024;
            const auto* words = reinterpret_cast<const capnp::word*>(words_.data());
            reader_ = std::make_unique<capnp::FlatArrayMessageReader>(kj::arrayPtr(words, words_.size()), options);
            // Walks every pointer now, so a later field read cannot find one out of bounds.
            (void)reader_->getRoot<capnp::AnyPointer>().targetSize();
        }
        return reader_->getRoot<schema::WireMessage>();
    } catch (const kj::Exception& e) {
        throw Error(std::string("malformed wire message: ") + e.getDescription().cStr());
    }
}

FrameReader::FrameReader(std::uint64_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

std::size_t FrameReader::wanted() const {
    switch (state_) {
        case State::length: return sizeof length_bytes_ - have_;
        case State::message:
        case State::payload: return static_cast<std::size_t>(part_bytes_ - have_);
    }
    return 0;
}

void FrameReader::start_message(std::uint64_t length) {
    if (length == 0 || length > max_message_bytes_ || length % sizeof(capnp::word) != 0) {
        throw Error("a frame of " + std::to_string(length) + " bytes (limit " + std::to_string(max_message_bytes_) +
                    ", whole 8-byte words): not this protocol");
    }
    state_ = State::message;
    part_bytes_ = length;
    have_ = 0;
    words_.clear();  // grows as the bytes arrive, not to `length` at once
}

void FrameReader::feed(std::span<const std::byte> bytes, Handler& handler) {
    while (!bytes.empty()) {
        switch (state_) {
            case State::length: {
                const std::size_t take = std::min(bytes.size(), sizeof length_bytes_ - have_);
                std::memcpy(length_bytes_ + have_, bytes.data(), take);
                have_ += take;
                bytes = bytes.subspan(take);
                if (have_ < sizeof length_bytes_) break;
                std::uint64_t length = 0;
                for (int i = 0; i < 8; ++i) length |= static_cast<std::uint64_t>(length_bytes_[i]) << (8 * i);
                start_message(length);
                break;
            }
            case State::message: {
                const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), part_bytes_ - have_));
                const std::size_t words_needed = (have_ + take + sizeof(capnp::word) - 1) / sizeof(capnp::word);
                if (words_.size() < words_needed) {
                    // Doubling as bytes arrive: amortised, and never ahead of what came.
                    words_.reserve(std::max(words_needed, std::min<std::size_t>(2 * words_.capacity(),
                                                                                part_bytes_ / sizeof(capnp::word))));
                    words_.resize(words_needed);
                }
                std::memcpy(reinterpret_cast<std::byte*>(words_.data()) + have_, bytes.data(), take);
                have_ += take;
                bytes = bytes.subspan(take);
                if (have_ < part_bytes_) break;
                Frame frame(std::move(words_));
                words_ = {};
                const auto message = frame.message();
                std::uint64_t payload = 0;
                if (message.isChipMessage()) {
                    payload = read_fields("chip message", [&] { return message.getChipMessage().getPayloadBytes(); });
                    if (payload > kMaxPayloadBytes) {
                        throw Error("a chip message announcing " + std::to_string(payload) + " bytes (limit " +
                                    std::to_string(kMaxPayloadBytes) + ")");
                    }
                }
                state_ = payload > 0 ? State::payload : State::length;
                part_bytes_ = payload;
                have_ = 0;
                handler.on_message(frame);
                if (message.isChipMessage() && payload == 0) handler.on_payload_end();
                break;
            }
            case State::payload: {
                const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), part_bytes_ - have_));
                handler.on_payload(bytes.first(take));
                have_ += take;
                bytes = bytes.subspan(take);
                if (have_ < part_bytes_) break;
                state_ = State::length;
                have_ = 0;
                handler.on_payload_end();
                break;
            }
        }
    }
}

}  // namespace lpu::launch::tcp
