#include <catch2/catch.hpp>

#include "topology/builders.hpp"
#include "topology/dragonfly.hpp"
#include "topology/metrics.hpp"

using namespace lpu::topology;

TEST_CASE("metrics: known diameters, averages and bisections", "[topology][metrics]") {
    const auto fc = compute_metrics(fully_connected(8));
    CHECK(fc.diameter_hops == 1);
    CHECK(fc.avg_hops == 1.0);
    CHECK(fc.bisection_links == 16);
    CHECK(fc.ports_used == 56);
    CHECK(fc.ports_total == 128);

    const auto r = compute_metrics(ring(8));
    CHECK(r.diameter_hops == 4);
    CHECK(r.avg_hops == Approx(16.0 / 7.0));
    CHECK(r.bisection_links == 2);

    const auto t = compute_metrics(torus({4, 4}));
    CHECK(t.diameter_hops == 4);
    CHECK(t.avg_hops == Approx(32.0 / 15.0));
    CHECK(t.bisection_links == 8);
    // The cut across the longer dimension is the smaller one.
    CHECK(compute_metrics(torus({4, 8})).bisection_links == 8);

    const auto m = compute_metrics(mesh({3, 3}));
    CHECK(m.diameter_hops == 4);
    CHECK(m.distance_method == DistanceMethod::exact_all_sources);
}

TEST_CASE("metrics: symmetry representatives give the exact all-sources answer", "[topology][metrics]") {
    for (const auto& topology : {dragonfly({3, false}), torus({4, 5, 3})}) {
        const auto exact = compute_metrics(topology, {100'000, 64});
        const auto by_symmetry = compute_metrics(topology, {0, 64});
        CHECK(exact.distance_method == DistanceMethod::exact_all_sources);
        CHECK(by_symmetry.distance_method == DistanceMethod::exact_by_symmetry);
        CHECK(by_symmetry.bfs_sources < exact.bfs_sources);
        CHECK(by_symmetry.diameter_hops == exact.diameter_hops);
        CHECK(by_symmetry.avg_hops == exact.avg_hops);
    }
}

TEST_CASE("metrics: without symmetry large topologies are sampled", "[topology][metrics]") {
    const auto topology = mesh({12, 12});
    const auto exact = compute_metrics(topology);
    const auto sampled = compute_metrics(topology, {0, 10});
    CHECK(sampled.distance_method == DistanceMethod::sampled);
    CHECK(sampled.bfs_sources == 10);
    CHECK(sampled.diameter_hops <= exact.diameter_hops);
    CHECK(exact.diameter_hops == 22);
}

TEST_CASE("metrics: the 10,440-chip Dragonfly", "[topology][metrics][dragonfly]") {
    const auto metrics = compute_metrics(dragonfly({145, false}));
    CHECK(metrics.chips == 10'440);
    CHECK(metrics.distance_method == DistanceMethod::exact_by_symmetry);
    CHECK(metrics.bfs_sources == 72);
    CHECK(metrics.ports_used == 10'440 * 11);
    CHECK(metrics.avg_hops > 1.0);
    CHECK(metrics.avg_hops < metrics.diameter_hops);
    // Racks 0-71 against 72-144: one link per rack pair.
    CHECK(metrics.bisection_links == 72 * 73);
}
