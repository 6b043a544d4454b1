#include "launch/mpi/mpi_run.hpp"

#include <algorithm>
#include <cstdio>

#include "base/json_text.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/mpi/rank_chips.hpp"
#include "launch/run_fabric.hpp"

namespace lpu::launch::mpi {
namespace {

// Every rank's string, at rank 0 (empty elsewhere).
std::vector<std::string> gather_at_root(const MpiSession& session, const std::string& mine) {
    const int length = static_cast<int>(mine.size());
    std::vector<int> lengths(static_cast<std::size_t>(session.size()));
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, session.comm());
    std::vector<int> offsets(lengths.size(), 0);
    for (std::size_t r = 1; r < lengths.size(); ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
    std::string all(session.rank() == 0 ? static_cast<std::size_t>(offsets.back() + lengths.back()) : 0, '\0');
    MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, session.comm());
    std::vector<std::string> pieces;
    if (session.rank() != 0) return pieces;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
        pieces.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
    }
    return pieces;
}

void run_ranks(const MpiSession& session, const model::ModelFile& file, const model::Tokenizer& tokenizer,
               const MpiRunOptions& options) {
    RankChips rank(session, file, options.system, options.liveness, options.print_placement, "lpu run");
    engine::PlanModel& model = rank.model();
    const bool root = session.rank() == 0;
    const auto results = engine::generate_batch(model, tokenizer, options.generation,
                                                root ? text_stream(options.report, model.batch_size()) : nullptr);
    const int positions = results.front().stats.positions;
    // Every chip's SRAM and cycle report and every rank's fabric figures, gathered at rank 0 in rank order.
    std::vector<ChipReport> mine;
    for (const auto& runner : model.chips()) mine.push_back(chip_report(*runner));
    std::optional<sim::FabricFigures> figures;
    if (positions > 0) {
        figures = hosted_fabric_figures(model.plan(), rank.topology(), rank.spec(),
                                        run_fabric_config(options.fabric_seed, positions), rank.fabric_ranks(),
                                        session.rank(), rank.transport());
    }
    const std::vector<std::string> reports = gather_at_root(session, json_text(process_report(mine, figures)));
    rank.final_barrier();
    if (!root) return;
    RunChips chips{{}, rank.grid(), {}};
    for (const auto& text : reports) add_process_report(chips, nlohmann::json::parse(text));
    print_report(results, chips, options.report);
}

}  // namespace

void run_under_mpi(const model::ModelFile& file, const model::Tokenizer& tokenizer, MpiRunOptions options) {
    MpiSession session;
    try {
        run_ranks(session, file, tokenizer, options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: rank %d: %s\n", session.rank(), e.what());
        std::fflush(stderr);
        session.abort(2);
    }
}

}  // namespace lpu::launch::mpi
