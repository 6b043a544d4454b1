@0xcc5027a0e30c2ffc;
# The binary topology file (.topo.bin): chips with their port budget and
# hierarchy, full-duplex links between two chip ports, and the builder's facts.
# The JSON form (topology/topology_io.hpp) carries the same fields.

$import "/capnp/c++.capnp".namespace("lpu::schema");

# Marks an absent node or rack index (the topology has no hierarchy).
const noGroup :UInt32 = 0xffffffff;

struct TopologyFile {
  version @0 :UInt32;            # 1
  name @1 :Text;
  chips @2 :List(Chip);
  links @3 :List(Link);
  gridDims @4 :List(UInt32);     # torus/mesh extents, row-major chip ids
  representativeChips @5 :List(UInt32);  # symmetry claim used by the metrics
}

struct Chip {
  portCount @0 :UInt16;
  node @1 :UInt32 = 0xffffffff;  # noGroup when absent
  rack @2 :UInt32 = 0xffffffff;  # noGroup when absent
  spare @3 :Bool;
}

struct Link {
  a @0 :UInt32;
  portA @1 :UInt16;
  b @2 :UInt32;
  portB @3 :UInt16;
  latencyPs @4 :Int64;           # 0: the fabric default
  bandwidthBytesPerS @5 :Int64;  # 0: the fabric default
}
