#include "launch/tcp/tcp_serve.hpp"

#include "launch/tcp/coordination.hpp"

namespace lpu::launch::tcp {

void serve_with_workers(const model::ModelFile& file, const std::string& workers, const SystemOptions& system,
                        const PeerLiveness& liveness,
                        const std::function<void(engine::LanguageModel&, const std::string& grid)>& serve) {
    Coordination run(file, workers, system, liveness);
    TcpCluster& cluster = run.cluster();
    try {
        serve(run.model(), run.grid());
        // No fabric run after serving: the workers only report their chips, which are not needed here.
        send_finish(cluster.mesh(), {1, 0});
        cluster.inbox().reports(cluster.mesh(), cluster.workers());
    } catch (const std::exception& e) {
        cluster.mesh().abort_all(e.what());
        throw;
    }
}

}  // namespace lpu::launch::tcp
