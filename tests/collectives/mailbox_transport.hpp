#pragma once
// A minimal Transport for running the executor inside the collectives tests
// (the real ones live in launch/, above this layer): a send posts a view (or
// a copy) of the bytes, a receive hands it to the consumer. Every message must
// be posted before it is received, which holds for the executor in one process.
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "base/error.hpp"
#include "collectives/transport.hpp"

namespace lpu::collectives::testing {

class MailboxTransport final : public Transport {
public:
    void send(topology::ChipId src, topology::ChipId dst, Tag tag, std::span<const std::byte> bytes) override {
        std::lock_guard lock(mutex_);
        require(mailbox_.try_emplace(Key{src, dst, tag}, bytes).second, "message sent twice");
    }
    void send_copy(topology::ChipId src, topology::ChipId dst, Tag tag, std::span<const std::byte> bytes) override {
        std::span<const std::byte> copy;
        {
            std::lock_guard lock(mutex_);
            copy = copies_.emplace_back(bytes.begin(), bytes.end());  // list nodes never move
        }
        send(src, dst, tag, copy);
    }
    bool try_recv(topology::ChipId dst, topology::ChipId src, Tag tag, std::size_t bytes,
                  const Consumer& consume) override {
        std::span<const std::byte> message;
        {
            std::lock_guard lock(mutex_);
            const auto found = mailbox_.find(Key{src, dst, tag});
            if (found == mailbox_.end()) return false;
            message = found->second;
            mailbox_.erase(found);
        }
        require(message.size() == bytes, "message of the wrong size");
        consume(message);
        return true;
    }
    void wait_for_message() override { throw Error("waiting for a message that nobody in this process will send"); }
    void recv(topology::ChipId dst, topology::ChipId src, Tag tag, std::size_t bytes,
              const Consumer& consume) override {
        require(try_recv(dst, src, tag, bytes, consume), "message received before it was sent");
    }
    // Nothing here ever waits, so there is no one to wake: the executor reports the failure itself.
    void abort(const std::string&) override {}

    std::size_t pending() const {
        std::lock_guard lock(mutex_);
        return mailbox_.size();
    }

private:
    using Key = std::tuple<topology::ChipId, topology::ChipId, Tag>;  // src, dst, tag
    mutable std::mutex mutex_;
    std::map<Key, std::span<const std::byte>> mailbox_;
    std::list<std::vector<std::byte>> copies_;
};

}  // namespace lpu::collectives::testing
