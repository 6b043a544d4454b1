#include "launch/tcp/run_protocol.hpp"

#include <cstring>

#include "base/error.hpp"

namespace lpu::launch::tcp {
namespace {

// A step carries one token per sequence of the batch.
constexpr std::size_t kMaxStepTokens = 4096;

void to_every_worker(TcpMesh& mesh, capnp::MessageBuilder& message) {
    for (int rank : mesh.peers()) mesh.append(rank, message);
    mesh.flush();
}

}  // namespace

void RunInbox::on_message(int peer, schema::WireMessage::Reader message) {
    const bool coordinator = rank_ == 0, from_coordinator = peer == 0;
    const auto refuse = [&](const char* what) { throw Error(std::string("sent ") + what + ", which this process does not take from it"); };
    std::lock_guard lock(mutex_);
    switch (message.which()) {
        case schema::WireMessage::STEP: {
            if (coordinator || !from_coordinator) refuse("a step");
            const auto step = message.getStep();
            require(step.getTokens().size() >= 1 && step.getTokens().size() <= kMaxStepTokens,
                    "a step of " + std::to_string(step.getTokens().size()) + " tokens");
            require(step.getPositions().size() == step.getTokens().size(),
                    "a step of " + std::to_string(step.getTokens().size()) + " tokens and " +
                        std::to_string(step.getPositions().size()) + " positions");
            StepRequest request;
            for (int token : step.getTokens()) request.tokens.push_back(token);
            for (int position : step.getPositions()) request.positions.push_back(position);
            steps_.emplace_back(std::move(request));  // the model checks tokens and position against the plan
            return;
        }
        case schema::WireMessage::FINISH: {
            if (coordinator || !from_coordinator) refuse("a finish");
            const auto finish = message.getFinish();
            require(finish.getPositions() >= 0, "a finish after " + std::to_string(finish.getPositions()) + " steps");
            steps_.emplace_back(StepRequest{{}, {}, FinishRequest{finish.getSeed(), finish.getPositions()}});
            return;
        }
        case schema::WireMessage::DONE:
            if (!coordinator && from_coordinator) steps_.emplace_back(std::nullopt);  // the run is over
            return;  // from a worker: its goodbye (the mesh noted it)
        case schema::WireMessage::READY:
            if (!coordinator) refuse("ready");
            ++ready_;
            return;
        case schema::WireMessage::REFUSE:
            if (!coordinator) refuse("a refusal");
            if (!refusal_) refusal_ = Refusal{peer, message.getRefuse().cStr()};
            return;
        case schema::WireMessage::LOGITS: {
            if (!coordinator || peer != logits_rank_) refuse("logits");
            const auto bytes = message.getLogits();
            require(bytes.size() % sizeof(float) == 0, "logits of " + std::to_string(bytes.size()) + " bytes");
            std::vector<float> values(bytes.size() / sizeof(float));
            if (!values.empty()) std::memcpy(values.data(), bytes.begin(), bytes.size());
            logits_.push_back(std::move(values));
            return;
        }
        case schema::WireMessage::REPORT:
            if (!coordinator || reports_.count(peer)) refuse("a report");
            reports_[peer] = message.getReport().cStr();
            return;
        default:
            throw Error("sent a message that does not belong in a run");
    }
}

std::optional<StepRequest> RunInbox::next_step(TcpMesh& mesh) {
    std::optional<StepRequest> step;
    mesh.wait_until([&] {
        std::lock_guard lock(mutex_);
        if (steps_.empty()) return false;
        step = std::move(steps_.front());
        steps_.pop_front();
        return true;
    });
    return step;
}

void RunInbox::next_logits(TcpMesh& mesh, std::span<float> logits) {
    std::vector<float> values;
    mesh.wait_until([&] {
        std::lock_guard lock(mutex_);
        if (logits_.empty()) return false;
        values = std::move(logits_.front());
        logits_.pop_front();
        return true;
    });
    require(values.size() == logits.size(), "the head chip's process sent " + std::to_string(values.size()) +
                                                " logits, the model has " + std::to_string(logits.size()));
    std::memcpy(logits.data(), values.data(), logits.size_bytes());
}

std::vector<std::string> RunInbox::reports(TcpMesh& mesh, int workers) {
    mesh.wait_until([&] {
        std::lock_guard lock(mutex_);
        return static_cast<int>(reports_.size()) == workers;
    });
    std::lock_guard lock(mutex_);
    std::vector<std::string> by_rank(static_cast<std::size_t>(workers) + 1);
    for (auto& [rank, report] : reports_) by_rank.at(static_cast<std::size_t>(rank)) = std::move(report);
    reports_.clear();
    return by_rank;
}

void RunInbox::wait_ready(TcpMesh& mesh, int workers) {
    mesh.wait_until([&] {
        std::lock_guard lock(mutex_);
        return ready_ == workers || refusal_.has_value();
    });
    std::lock_guard lock(mutex_);
    if (refusal_) throw Error(mesh.name_of(refusal_->peer) + " refused the job: " + refusal_->reason);
}

void RunInbox::take_logits_from(int rank) {
    std::lock_guard lock(mutex_);
    logits_rank_ = rank;
}

void send_step(TcpMesh& mesh, std::span<const int> tokens, std::span<const int> positions) {
    capnp::MallocMessageBuilder message;
    auto step = message.initRoot<schema::WireMessage>().initStep();
    auto token_list = step.initTokens(static_cast<unsigned>(tokens.size()));
    for (std::size_t i = 0; i < tokens.size(); ++i) token_list.set(static_cast<unsigned>(i), tokens[i]);
    auto position_list = step.initPositions(static_cast<unsigned>(positions.size()));
    for (std::size_t i = 0; i < positions.size(); ++i) position_list.set(static_cast<unsigned>(i), positions[i]);
    to_every_worker(mesh, message);
}

void send_finish(TcpMesh& mesh, const FinishRequest& request) {
    capnp::MallocMessageBuilder message;
    auto finish = message.initRoot<schema::WireMessage>().initFinish();
    finish.setSeed(request.seed);
    finish.setPositions(request.positions);
    to_every_worker(mesh, message);
}

void send_ready(TcpMesh& mesh) {
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().setReady();
    mesh.send(0, message);
}

void send_report(TcpMesh& mesh, const std::string& json) {
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::WireMessage>().setReport(json);
    mesh.send(0, message);
}

void LogitsToCoordinator::broadcast(std::span<float> logits) {
    if (mesh_.rank() == head_rank_) {
        capnp::MallocMessageBuilder message;
        message.initRoot<schema::WireMessage>().setLogits(
            kj::arrayPtr(reinterpret_cast<const kj::byte*>(logits.data()), logits.size_bytes()));
        mesh_.send(0, message);
    } else if (mesh_.rank() == 0) {
        inbox_.next_logits(mesh_, logits);
    }
}

}  // namespace lpu::launch::tcp
