#pragma once
// The Transport for chips that live in one process: a send posts a view of
// the sender's bytes, a receive hands that view to the consumer, which
// reduces or copies straight from the sender's buffer — no copy of the
// transport's own. Thread safe (one mutex over the mailbox). A receive whose
// message was never posted throws instead of waiting: the executor posts a
// step's sends before its receives, so in one process a missing message is a
// broken schedule, and waiting would hang.
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "collectives/transport.hpp"

namespace lpu::launch::inprocess {

class InProcessTransport final : public collectives::Transport {
public:
    void send(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
              std::span<const std::byte> bytes) override;
    void send_copy(topology::ChipId src, topology::ChipId dst, collectives::Tag tag,
                   std::span<const std::byte> bytes) override;
    bool try_recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
                  const Consumer& consume) override;
    void wait_for_message() override;
    void recv(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
              const Consumer& consume) override;
    void abort(const std::string& reason) override;

    // Messages posted and not yet received.
    std::size_t pending() const;

private:
    using Key = std::tuple<topology::ChipId, topology::ChipId, collectives::Tag>;  // src, dst, tag
    // A posted message: a view of the sender's bytes, or of `copy` for send_copy.
    struct Message {
        std::span<const std::byte> bytes;
        std::vector<std::byte> copy;
    };
    using Mailbox = std::map<Key, Message>;
    void throw_if_aborted() const;
    void post(const Key& key, std::span<const std::byte> bytes, bool copy);
    // Takes the message out of the mailbox (false when it is not there yet), hands it to consume.
    bool take(topology::ChipId dst, topology::ChipId src, collectives::Tag tag, std::size_t bytes,
              const Consumer& consume);

    mutable std::mutex mutex_;
    Mailbox mailbox_;
    // Delivered messages' map nodes, kept with their copy buffers' capacity so
    // that steady traffic allocates nothing.
    std::vector<Mailbox::node_type> spare_nodes_;
    std::optional<std::string> abort_reason_;
};

}  // namespace lpu::launch::inprocess
