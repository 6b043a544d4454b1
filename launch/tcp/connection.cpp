#include "launch/tcp/connection.hpp"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>

namespace lpu::launch::tcp {
namespace {

// Large enough that a step's frames from one peer arrive in a read or two.
constexpr std::size_t kReadBufferBytes = std::size_t{256} << 10;

}  // namespace

Connection::Connection(int rank, std::string name, asio::ip::tcp::socket socket, Owner& owner)
    : rank_(rank), name_(std::move(name)), socket_(std::move(socket)), owner_(owner), read_buffer_(kReadBufferBytes) {
    socket_.set_option(asio::ip::tcp::no_delay(true));  // a frame leaves when flushed, not when a segment fills
}

void Connection::start() {
    last_read_ = Clock::now();
    read();
}

void Connection::read() {
    socket_.async_read_some(asio::buffer(read_buffer_), [this](const asio::error_code& error, std::size_t bytes) {
        if (closed_) return;
        if (error) {
            if (error == asio::error::eof) return broken(name_ + " closed the connection");
            return broken("receiving from " + name_ + " failed: " + error.message());
        }
        last_read_ = Clock::now();
        if (!refused_) {
            try {
                reader_.feed(std::span(read_buffer_.data(), bytes), *this);
            } catch (const std::exception& e) {
                refuse_peer(e.what());
            }
        }
        if (!closed_) read();
    });
}

void Connection::append(capnp::MessageBuilder& message, std::span<const std::byte> payload) {
    std::lock_guard lock(write_mutex_);
    append_frame(pending_, message, payload);
}

void Connection::flush() {
    std::unique_lock lock(write_mutex_);
    if (writing_ || write_failed_ || pending_.empty()) return;
    // Straight from this thread while the socket takes the bytes.
    std::size_t sent = 0;
    while (sent < pending_.size()) {
        const ssize_t written = ::send(socket_.native_handle(), pending_.data() + sent, pending_.size() - sent,
                                       MSG_DONTWAIT | MSG_NOSIGNAL);
        if (written > 0) {
            sent += static_cast<std::size_t>(written);
        } else if (written < 0 && errno == EINTR) {
            continue;
        } else if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            write_failed_ = true;
            const std::string why = "sending to " + name_ + " failed: " + std::strerror(errno);
            asio::post(socket_.get_executor(), [this, why] { broken(why); });
            return;
        }
    }
    last_write_ = Clock::now().time_since_epoch().count();
    if (sent == pending_.size()) {
        pending_.clear();
        return;
    }
    // The peer reads slower than this process writes: the event loop takes over.
    in_flight_.assign(pending_.begin() + static_cast<std::ptrdiff_t>(sent), pending_.end());
    pending_.clear();
    writing_ = true;
    asio::post(socket_.get_executor(), [this] { write_in_background(); });
}

void Connection::write_in_background() {
    if (closed_) return;
    asio::async_write(socket_, asio::buffer(in_flight_), [this](const asio::error_code& error, std::size_t) {
        if (closed_) return;
        if (error) {
            {
                std::lock_guard lock(write_mutex_);
                write_failed_ = true;
            }
            return broken("sending to " + name_ + " failed: " + error.message());
        }
        {
            std::lock_guard lock(write_mutex_);
            last_write_ = Clock::now().time_since_epoch().count();
            in_flight_.clear();
            if (pending_.empty()) {
                writing_ = false;
                if (finishing_) shut_down_sending();
                return;
            }
            in_flight_.swap(pending_);
        }
        write_in_background();
    });
}

void Connection::finish() {
    if (closed_) return;
    std::lock_guard lock(write_mutex_);
    finishing_ = true;
    if (writing_ || write_failed_) return;  // the background write shuts down when it is done
    if (pending_.empty()) return shut_down_sending();
    in_flight_.swap(pending_);
    writing_ = true;
    asio::post(socket_.get_executor(), [this] { write_in_background(); });
}

void Connection::shut_down_sending() {
    asio::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void Connection::broken(const std::string& why) {
    if (closed_) return;
    close();
    if (reported_) return;
    reported_ = true;
    owner_.on_broken(*this, why);
}

void Connection::refuse_peer(const std::string& why) {
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().setAbort(why);
    append(message);
    flush();
    refused_ = true;
    reported_ = true;
    owner_.on_broken(*this, name_ + ": " + why);
}

void Connection::close() {
    if (closed_) return;
    closed_ = true;
    {
        // No flush may send on the descriptor once it is closed (and perhaps reused).
        std::lock_guard lock(write_mutex_);
        write_failed_ = true;
    }
    asio::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace lpu::launch::tcp
