#pragma once
// How many bytes one peer process may leave waiting in this process's
// mailbox (launch/remote_mailbox.hpp) during a run of a plan. A process can
// be at most one step ahead of another (a step starts only after the logits
// of the previous one, which need every stage), so two steps of the plan's
// traffic from the peer, plus RemoteMailbox::kDefaultLimitBytes for the
// fabric figures' messages after the run and for slack.
#include <cstdint>
#include <vector>

#include "plan/plan.hpp"

namespace lpu::launch {

// `rank_of_chip[chip id]` is the process of the chip (-1: none).
std::uint64_t run_mailbox_limit(const plan::Plan& plan, const std::vector<int>& rank_of_chip, int rank);

}  // namespace lpu::launch
