// Plan files (.lpuplan): decoded and validated as `lpu run --plan` and `lpu plan
// show` do, then timed for one step and summarised.
#include "fuzz/fuzz_input.hpp"
#include "plan/plan_io.hpp"
#include "plan/plan_summary.hpp"
#include "plan/retime.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return lpu::fuzz::expect_only_input_errors([&] {
        const lpu::plan::Plan plan = lpu::plan::plan_from_bytes(lpu::fuzz::as_text(data, size), "fuzz input");
        (void)lpu::plan::summarise(lpu::plan::retime(plan, 0));
    });
}
