#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "topology/builders.hpp"
#include "topology/dragonfly.hpp"
#include "topology/topology_io.hpp"

using namespace lpu::topology;
using Catch::Matchers::Contains;

namespace {
Topology from_json(const std::string& text) { return topology_from_json_text(text, "t.json"); }

std::string two_chips(const std::string& links) {
    return R"({"chips": 2, "links": )" + links + "}";
}
}  // namespace

TEST_CASE("io: JSON and Cap'n Proto round-trip exactly", "[topology][io]") {
    for (const auto& original : {fully_connected(5), torus({3, 4}), dragonfly({2, true}),
                                 from_json(R"({"name": "odd", "chips": [{"ports": 3}, {}, {"ports": 2}],
                                               "links": [{"a": 0, "b": 1, "latency_ps": 5},
                                                         {"a": 1, "b": 2, "port_b": 1, "bandwidth_bytes_per_s": 9}]})")}) {
        const auto via_json = from_json(topology_to_json_text(original));
        CHECK(via_json == original);
        const auto via_capnp = topology_from_capnp_bytes(topology_to_capnp_bytes(original), "t.topo.bin");
        CHECK(via_capnp == original);
        CHECK(topology_to_json_text(via_capnp) == topology_to_json_text(original));
    }
}

TEST_CASE("io: files by extension", "[topology][io]") {
    const auto dir = std::filesystem::temp_directory_path() / ("lpu-topology-io-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto original = dragonfly({3, false});
    for (const char* name : {"t.json", "t.topo.bin"}) {
        const auto path = (dir / name).string();
        save_topology_file(original, path);
        CHECK(load_topology_file(path) == original);
    }
    CHECK_THROWS_WITH(save_topology_file(original, (dir / "t.txt").string()), Contains("unknown extension"));
    CHECK_THROWS_WITH(load_topology_file((dir / "missing.json").string()), Contains("cannot open topology file"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("io: omitted ports get the lowest port nobody names", "[topology][io]") {
    const auto t = from_json(R"({"chips": 3, "links": [[0, 1], {"a": 1, "b": 2, "port_a": 0}, [2, 0]]})");
    CHECK(t.link(0).port_a == 0);
    CHECK(t.link(0).port_b == 1);  // port 0 of chip 1 is named by link 1
    CHECK(t.link(1).port_b == 0);
    CHECK(t.link(2).port_a == 1);
    CHECK(t.link(2).port_b == 1);
}

TEST_CASE("io: every JSON rule gives a clear error", "[topology][io]") {
    CHECK_THROWS_WITH(from_json("{\"chips\": 2,"), Contains("t.json") && Contains("bad JSON at byte"));
    CHECK_THROWS_WITH(from_json("[]"), Contains("expected an object"));
    CHECK_THROWS_WITH(from_json(R"({"links": []})"), Contains("missing key 'chips'"));
    CHECK_THROWS_WITH(from_json(R"({"chips": 2})"), Contains("missing key 'links'"));
    CHECK_THROWS_WITH(from_json(R"({"chips": 2, "links": [], "extra": 1})"), Contains("unknown key 'extra'"));
    CHECK_THROWS_WITH(from_json(R"({"format": "x", "chips": 1, "links": []})"), Contains("format"));
    CHECK_THROWS_WITH(from_json(R"({"version": 2, "chips": 1, "links": []})"), Contains("unsupported version 2"));
    CHECK_THROWS_WITH(from_json(R"({"chips": -1, "links": []})"), Contains("chips: expected a non-negative integer"));
    CHECK_THROWS_WITH(from_json(R"({"chips": 1e12, "links": []})"), Contains("chips: expected a non-negative integer"));
    CHECK_THROWS_WITH(from_json(R"({"chips": 99999999999, "links": []})"), Contains("above the limit"));
    CHECK_THROWS_WITH(from_json(R"({"chips": 1E99999, "links": []})"), Contains("t.json") && Contains("bad JSON"));
    CHECK_THROWS_WITH(from_json(two_chips(R"([{"a": 0, "b": 1, "port_A": 2}])")), Contains("links[0]: unknown key 'port_A'"));
    CHECK_THROWS_WITH(from_json(two_chips(R"([[0]])")), Contains("links[0]: a link list must be [a, b]"));
    CHECK_THROWS_WITH(from_json(two_chips(R"([{"a": 0}])")), Contains("links[0]: missing key 'b'"));
    CHECK_THROWS_WITH(from_json(two_chips(R"([{"a": 0, "b": 1, "latency_ps": 0}])")),
                      Contains("links[0].latency_ps: expected a positive integer"));
    // The wiring rules, through the file reader.
    CHECK_THROWS_WITH(from_json(two_chips("[[0, 1], [0, 5]]")), Contains("t.json") && Contains("chip 5") && Contains("dangling"));
    CHECK_THROWS_WITH(from_json(two_chips("[[1, 1]]")), Contains("to itself"));
    CHECK_THROWS_WITH(from_json(two_chips(R"([{"a": 0, "b": 1, "port_a": 16}])")),
                      Contains("port budget exceeded") && Contains("port 16 of chip 0"));
    CHECK_THROWS_WITH(from_json(R"({"chips": 2, "ports_per_chip": 1, "links": [[0, 1], [0, 1]]})"),
                      Contains("port budget exceeded") && Contains("chip 0") && Contains("all its 1 ports"));
    CHECK_THROWS_WITH(from_json(two_chips(R"([{"a": 0, "b": 1, "port_a": 3}, {"a": 0, "b": 1, "port_a": 3}])")),
                      Contains("port 3 of chip 0 is used twice"));
    CHECK_THROWS_WITH(from_json(R"({"chips": 3, "links": [[0, 1]]})"), Contains("chip 2 is unreachable"));
}

TEST_CASE("io: malformed Cap'n Proto files give errors, not crashes", "[topology][io]") {
    const std::string good = topology_to_capnp_bytes(ring(5));
    CHECK_THROWS_WITH(topology_from_capnp_bytes("", "t.topo.bin"), Contains("not a Cap'n Proto message"));
    CHECK_THROWS_WITH(topology_from_capnp_bytes(good.substr(0, good.size() - 3), "t.topo.bin"),
                      Contains("not a Cap'n Proto message"));
    CHECK_THROWS_AS(topology_from_capnp_bytes(good.substr(0, good.size() / 2 & ~std::size_t{7}), "t.topo.bin"), lpu::Error);
    // Every single-byte corruption either still reads a valid topology or throws lpu::Error.
    for (std::size_t i = 0; i < good.size(); ++i) {
        std::string bad = good;
        bad[i] = static_cast<char>(bad[i] ^ 0x5a);
        try {
            (void)topology_from_capnp_bytes(bad, "t.topo.bin");
        } catch (const lpu::Error&) {
        }
    }
    // One segment of one word holding a null root pointer: an empty (version 0) file.
    std::string empty_root(16, '\0');
    empty_root[4] = 1;
    CHECK_THROWS_WITH(topology_from_capnp_bytes(empty_root, "t.topo.bin"), Contains("unsupported version 0"));
}
