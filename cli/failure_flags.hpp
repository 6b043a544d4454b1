#pragma once
// The flags that take a part of the system down: `lpu sim --fail chip:N@STEP`
// or `link:A-B@STEP`, and `lpu fabric --link-down A-B@SECONDS`. Text that is
// not of that form is lpu::Error naming the form; whether the chips and the
// link exist is for the library, which knows the topology.
#include <string>

#include "sim/fabric/clock_experiment.hpp"
#include "study/failover.hpp"

namespace lpu::cli {

study::FailoverRequest parse_fail_flag(const std::string& text);
sim::LinkDown parse_link_down_flag(const std::string& text);

}  // namespace lpu::cli
