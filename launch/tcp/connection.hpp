#pragma once
// One connection of a process of a TCP run to a peer process, on the
// process's event loop (launch/tcp/tcp_mesh.hpp: one thread runs it, so the
// handlers of a connection never run at once).
//
// Reading: asynchronous reads into a buffer, fed to a FrameReader; what it
// finds goes to the owner (the mesh). The time of the last read is kept for
// the liveness rule.
//
// Writing: frames are appended to a pending buffer (from any thread), and
// flush() writes all of it with one non-blocking send from the calling
// thread, so the frames of one step to one peer leave in one write and the
// event loop is not woken to send them. Only what the socket does not take at
// once is handed to the event loop, which writes it as the peer reads, while
// further frames wait behind it in order.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <asio.hpp>

#include "launch/tcp/frame.hpp"

namespace lpu::launch::tcp {

class Connection final : private FrameReader::Handler {
public:
    using Clock = std::chrono::steady_clock;

    // What the connection finds, told on the event loop's thread. A call that
    // throws breaks the connection (on_broken with its message).
    class Owner {
    public:
        virtual ~Owner() = default;
        virtual void on_message(Connection& from, Frame& frame) = 0;
        virtual void on_payload(Connection& from, std::span<const std::byte> piece) = 0;
        virtual void on_payload_end(Connection& from) = 0;
        // The connection ended (closed by the peer, a failed read or write, a
        // malformed frame or a message refused), with why. No more calls follow.
        virtual void on_broken(Connection& connection, const std::string& why) = 0;
    };

    // `socket` must belong to the owner's event loop.
    Connection(int rank, std::string name, asio::ip::tcp::socket socket, Owner& owner);

    int rank() const { return rank_; }
    // "worker 2 (127.0.0.1:7002)", for messages.
    const std::string& name() const { return name_; }

    // Starts reading; on the event loop's thread.
    void start();
    // Appends a frame to the pending writes (any thread).
    void append(capnp::MessageBuilder& message, std::span<const std::byte> payload = {});
    // Writes what is pending (any thread; see above).
    void flush();
    // Ends this side gracefully (on the event loop's thread): what is
    // pending is written, then the peer sees the end; reading goes on, and
    // the connection closes when the peer has ended its side too.
    void finish();
    // Stops reading and writing at once (on the event loop's thread, or after it stopped).
    void close();
    bool closed() const { return closed_; }

    // On the event loop's thread:
    Clock::time_point last_read() const { return last_read_; }
    Clock::time_point last_write() const { return Clock::time_point(Clock::duration(last_write_.load())); }
    // Mid-frame: the peer stopped inside a frame (for messages).
    bool mid_frame() const { return !reader_.between_frames(); }

private:
    void read();
    void write_in_background();  // on the event loop, with writing_ set
    void shut_down_sending();    // with write_mutex_ held
    void broken(const std::string& why);
    // The peer broke the protocol: it is told why (an abort frame), and what
    // it sends after is read and dropped, so the frame reaches it before the
    // connection closes.
    void refuse_peer(const std::string& why);
    void on_message(Frame& frame) override { owner_.on_message(*this, frame); }
    void on_payload(std::span<const std::byte> piece) override { owner_.on_payload(*this, piece); }
    void on_payload_end() override { owner_.on_payload_end(*this); }

    int rank_;
    std::string name_;
    asio::ip::tcp::socket socket_;
    Owner& owner_;
    FrameReader reader_;
    std::vector<std::byte> read_buffer_;
    Clock::time_point last_read_ = Clock::now();
    std::atomic<Clock::rep> last_write_{Clock::now().time_since_epoch().count()};
    bool closed_ = false;      // event loop's thread
    bool refused_ = false;     // the peer broke the protocol: drop what it sends
    bool reported_ = false;    // the owner has heard it broke

    std::mutex write_mutex_;
    std::vector<std::byte> pending_;    // frames not yet handed to the socket
    std::vector<std::byte> in_flight_;  // the event loop is writing these
    bool writing_ = false;              // in_flight_ is being written: flush() leaves it to the loop
    bool write_failed_ = false;
    bool finishing_ = false;            // shut the sending side down once everything is written
};

}  // namespace lpu::launch::tcp
