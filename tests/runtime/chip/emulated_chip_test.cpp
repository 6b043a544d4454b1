#include "runtime/chip/emulated_chip.hpp"

#include <cstdint>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/chip/precision.hpp"

using lpu::chip::EmulatedChip;
using lpu::chip::OpKind;

TEST_CASE("an emulated chip owns its spec, SRAM and cost model", "[emulated_chip]") {
    const EmulatedChip chip(5, lpu::sim::chip_spec_preset("tsp-v1-1ghz"));
    CHECK(chip.id() == 5);
    CHECK(chip.spec().clock_hz == 1'000'000'000);
    CHECK(chip.sram().capacity_bytes() == chip.spec().sram_bytes);
    CHECK(chip.sram().chip_id() == 5);
    CHECK(chip.cost().spec() == chip.spec());
    auto bad = lpu::sim::chip_spec_preset("tsp-v1");
    bad.sram_bytes = -1;
    CHECK_THROWS_WITH(EmulatedChip(0, bad), Catch::Matchers::Contains("'sram_bytes'"));
}

TEST_CASE("charged cycles add up per kind and per step", "[emulated_chip]") {
    EmulatedChip chip(0, lpu::sim::chip_spec_preset("tsp-v1"));
    const auto matmul = chip.cost().matmul_cycles({4096, 4096, 1, lpu::sim::Precision::Int8});
    CHECK(chip.charge(OpKind::Matmul, matmul) == 256);
    chip.charge(OpKind::Vector, 28);
    chip.charge(OpKind::Stall, 616);
    CHECK(chip.step_cycles() == 900);
    CHECK(chip.step_microseconds() == Approx(1.0));  // 900 cycles at 900 MHz
    CHECK(chip.cycles().step_cycles(OpKind::Matmul) == 256);
    CHECK(chip.cycles().step_cycles(OpKind::Attention) == 0);

    chip.reset_step();
    CHECK(chip.step_cycles() == 0);
    CHECK(chip.cycles().step_cycles(OpKind::Matmul) == 0);
    chip.charge(OpKind::Transfer, 1'800);
    CHECK(chip.step_microseconds() == Approx(2.0));
    CHECK(chip.cycles().total_cycles() == 2'700);
    CHECK(chip.cycles().total_cycles(OpKind::Matmul) == 256);
    CHECK(chip.cycles().total_cycles(OpKind::Transfer) == 1'800);
    CHECK(chip.total_microseconds() == Approx(3.0));
}

TEST_CASE("a chip running a plan keeps its own time: idle gaps, waits for data, longer ops", "[emulated_chip]") {
    EmulatedChip chip(0, lpu::sim::chip_spec_preset("tsp-v1"));
    chip.reset_step();
    // An op planned at cycle 10 for 100 cycles: cycles 0-10 are the plan's idle gap.
    CHECK(chip.begin_instruction(10) == 10);
    chip.run_instruction(OpKind::Matmul, 100, 100);
    // A receive planned at 110 whose data arrives at 150: 40 cycles of waiting,
    // and the chip runs 40 cycles behind the plan from then on.
    CHECK(chip.begin_instruction(110, 150) == 150);
    chip.run_instruction(OpKind::Transfer, 0, 0);
    // Attention planned at 120 for 30 cycles takes 35 at this position.
    CHECK(chip.begin_instruction(120) == 160);
    chip.run_instruction(OpKind::Attention, 35, 30);
    // Data that arrived before the planned cycle costs no wait; the chip is 45 late.
    CHECK(chip.begin_instruction(200, 100) == 245);
    chip.run_instruction(OpKind::Vector, 5, 5);
    CHECK(chip.step_end_cycle() == 250);
    CHECK(chip.step_cycles() == 250);  // every cycle of the step is accounted
    CHECK(chip.cycles().step_cycles(OpKind::Stall) == 10 + 10 + 50);  // before the op, the attention, the last op
    CHECK(chip.cycles().step_cycles(OpKind::Transfer) == 40);
    CHECK(chip.cycles().step_cycles(OpKind::Attention) == 35);

    // A new step starts on the plan's schedule again.
    chip.reset_step();
    CHECK(chip.begin_instruction(10) == 10);
    CHECK(chip.cycles().total_cycles() == 250 + 10);
}

TEST_CASE("the cycle account refuses negative charges and overflow", "[emulated_chip]") {
    lpu::chip::CycleAccount account;
    CHECK_THROWS_WITH(account.charge(OpKind::Vector, -1), Catch::Matchers::Contains("vector"));
    account.charge(OpKind::Stall, INT64_MAX);
    CHECK_THROWS_WITH(account.charge(OpKind::Stall, 1), Catch::Matchers::Contains("overflow"));
    CHECK(account.total_cycles() == INT64_MAX);
}

TEST_CASE("runtime weight types map onto MXM precisions", "[emulated_chip]") {
    using lpu::kernels::DType;
    using lpu::sim::Precision;
    CHECK(lpu::chip::precision_of(DType::Q8_0) == Precision::Int8);
    CHECK(lpu::chip::precision_of(DType::F16) == Precision::Fp16);
    CHECK(lpu::chip::precision_of(DType::BF16) == Precision::Fp16);
    CHECK(lpu::chip::precision_of(DType::F32) == Precision::Fp32);
    for (const DType packed : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K, DType::Q3_K,
                               DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
        CHECK(lpu::chip::precision_of(packed) == Precision::Int8);
        CHECK(lpu::chip::packing_of(packed).packed());
    }
    CHECK_FALSE(lpu::chip::packing_of(DType::Q8_0).packed());
    const auto q4_k = lpu::chip::packing_of(DType::Q4_K);
    CHECK(q4_k.block_values == 256);
    CHECK(q4_k.block_bytes == 144);
    CHECK(q4_k.unpack_alu_ops == 1);
    CHECK(lpu::chip::packing_of(DType::Q6_K).unpack_alu_ops == 4);
}
