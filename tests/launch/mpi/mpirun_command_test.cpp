#include "launch/mpi/mpirun_command.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"

namespace lpu::launch::mpi {
namespace {

plan::Plan plan_of(std::uint32_t tp, std::uint32_t pp) {
    plan::Plan plan;
    plan.grid.tp = tp;
    plan.grid.pp = pp;
    plan.chips.resize(static_cast<std::size_t>(tp) * pp);
    return plan;
}

TEST_CASE("mpirun command: one rank per stage, capped by the hosts' slots", "[launch][mpirun]") {
    MpirunRequest request;
    request.plan_path = "story.lpuplan";
    request.model_path = "stories260K.gguf";
    request.run_arguments = {"--temperature", "0"};
    CHECK(mpirun_command(request, plan_of(2, 4)) ==
          std::vector<std::string>{"mpirun", "-n", "4", "--map-by", "slot", "--bind-to", "none", "lpu", "run", "--model",
                                   "stories260K.gguf", "--plan", "story.lpuplan", "--print-placement", "--temperature",
                                   "0"});
    request.hosts = "node1:2,node2";
    const auto capped = mpirun_command(request, plan_of(2, 4));
    CHECK(capped[2] == "3");
    CHECK(capped[7] == "--host");
    CHECK(capped[8] == "node1:2,node2");
    request.ranks = 8;
    CHECK(mpirun_command(request, plan_of(2, 4))[2] == "8");
}

TEST_CASE("mpirun command: bad host lists and rank counts are input errors", "[launch][mpirun]") {
    MpirunRequest request;
    request.hosts = "node1:0";
    CHECK_THROWS_WITH(mpirun_command(request, plan_of(1, 2)), Catch::Contains("slots must be a positive number"));
    request.hosts = "node1,,node2";
    CHECK_THROWS_AS(mpirun_command(request, plan_of(1, 2)), Error);
    request.hosts = "";
    request.ranks = 3;
    CHECK_THROWS_WITH(mpirun_command(request, plan_of(1, 2)), Catch::Contains("between 1 and the plan's 2 chips"));
}

TEST_CASE("mpirun command: words are quoted only where the shell needs it", "[launch][mpirun]") {
    CHECK(shell_line({"mpirun", "-n", "2", "a b", "it's", ""}) == "mpirun -n 2 'a b' 'it'\\''s' ''");
}

}  // namespace
}  // namespace lpu::launch::mpi
