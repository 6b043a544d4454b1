#include "launch/inprocess/in_process_transport.hpp"

#include "base/error.hpp"

namespace lpu::launch::inprocess {
namespace {

std::string message_name(topology::ChipId src, topology::ChipId dst, collectives::Tag tag) {
    return "message chip " + std::to_string(src) + " -> chip " + std::to_string(dst) + " tag " + std::to_string(tag);
}

}  // namespace

// Messages below are built only on failure: these calls are on every transfer's path.
void InProcessTransport::throw_if_aborted() const {
    if (abort_reason_) throw Error("transport aborted: " + *abort_reason_);
}

void InProcessTransport::post(const Key& key, std::span<const std::byte> bytes, bool copy) {
    std::lock_guard lock(mutex_);
    throw_if_aborted();
    Mailbox::node_type node;
    if (spare_nodes_.empty()) {
        node = Mailbox{{key, Message{}}}.extract(key);
    } else {
        node = std::move(spare_nodes_.back());
        spare_nodes_.pop_back();
        node.key() = key;
    }
    Message& message = node.mapped();
    if (copy) {
        message.copy.assign(bytes.begin(), bytes.end());
        message.bytes = message.copy;  // the vector's storage stays put in the node
    } else {
        message.bytes = bytes;
    }
    if (!mailbox_.insert(std::move(node)).inserted) {
        throw Error(message_name(std::get<0>(key), std::get<1>(key), std::get<2>(key)) + " was sent twice");
    }
}

void InProcessTransport::send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                              std::span<const std::byte> bytes) {
    post(Key{src, dst, tag}, bytes, false);
}

void InProcessTransport::send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                                   std::span<const std::byte> bytes) {
    post(Key{src, dst, tag}, bytes, true);
}

bool InProcessTransport::take(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                              const Consumer& consume) {
    Mailbox::node_type node;
    {
        std::lock_guard lock(mutex_);
        throw_if_aborted();
        const auto found = mailbox_.find(Key{src, dst, tag});
        if (found == mailbox_.end()) return false;
        node = mailbox_.extract(found);
    }
    const std::span<const std::byte> message = node.mapped().bytes;
    if (message.size() != bytes) {
        throw Error(message_name(src, dst, tag) + " holds " + std::to_string(message.size()) +
                    " bytes, the receiver expects " + std::to_string(bytes));
    }
    consume(message);
    std::lock_guard lock(mutex_);
    spare_nodes_.push_back(std::move(node));
    return true;
}

bool InProcessTransport::try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                                  const Consumer& consume) {
    return take(dst, src, tag, bytes, consume);
}

void InProcessTransport::wait_for_message() {
    throw Error("waiting for a message in one process: every sender is here, so it would never come");
}

void InProcessTransport::recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                              const Consumer& consume) {
    if (!take(dst, src, tag, bytes, consume)) {
        throw Error(message_name(src, dst, tag) + " is received but was never sent");
    }
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

}  // namespace lpu::launch::inprocess
