#include "launch/transport/in_process_transport.hpp"

#include "base/error.hpp"

namespace lpu::launch {
namespace {

std::string message_name(topology::ChipId src, topology::ChipId dst, collectives::Tag tag) {
    return "message chip " + std::to_string(src) + " -> chip " + std::to_string(dst) + " tag " + std::to_string(tag);
}

}  // namespace

void InProcessTransport::throw_if_aborted() const {
    if (abort_reason_) throw Error("transport aborted: " + *abort_reason_);
}

void InProcessTransport::send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                              std::span<const std::byte> bytes) {
    std::lock_guard lock(mutex_);
    throw_if_aborted();
    const bool inserted = mailbox_.try_emplace(Key{src, dst, tag}, bytes).second;
    require(inserted, message_name(src, dst, tag) + " was sent twice");
}

void InProcessTransport::recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                              const Consumer& consume) {
    std::span<const std::byte> message;
    {
        std::lock_guard lock(mutex_);
        throw_if_aborted();
        const auto found = mailbox_.find(Key{src, dst, tag});
        require(found != mailbox_.end(), message_name(src, dst, tag) + " is received but was never sent");
        message = found->second;
        mailbox_.erase(found);
    }
    require(message.size() == bytes, message_name(src, dst, tag) + " holds " + std::to_string(message.size()) +
                                         " bytes, the receiver expects " + std::to_string(bytes));
    consume(message);
}

void InProcessTransport::abort(const std::string& reason) {
    std::lock_guard lock(mutex_);
    if (!abort_reason_) abort_reason_ = reason;
    mailbox_.clear();
}

std::size_t InProcessTransport::pending() const {
    std::lock_guard lock(mutex_);
    return mailbox_.size();
}

}  // namespace lpu::launch
