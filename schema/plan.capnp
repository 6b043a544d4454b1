@0xc7b1e7e6bad864d1;
# The compiled plan file (.lpuplan): the 8-byte magic "LPUPLAN\0" followed by
# one unpacked message whose root is PlanFile. plan/plan.hpp documents every field.

$import "/capnp/c++.capnp".namespace("lpu::schema");

struct PlanFile {
  version @0 :UInt32;                # plan_format_version
  model @1 :ModelFingerprint;
  system @2 :SystemFingerprint;
  grid @3 :Grid;
  sramBytes @4 :Int64;
  transferLatencyCycles @5 :Int64;
  chips @6 :List(ChipProgram);
  contextPositions @7 :Int64;  # KV cache length every chip holds
}

struct ModelFingerprint {
  hash @0 :UInt64;
  description @1 :Text;
}

struct SystemFingerprint {
  topology @0 :Text;
  chipSpec @1 :Text;
  hash @2 :UInt64;
}

struct Grid {
  tp @0 :UInt32;
  pp @1 :UInt32;
  batch @2 :UInt32;
  microBatches @3 :UInt32;
  replicas @4 :UInt32 = 1;  # data-parallel copies of the tp x pp grid
}

struct IndexRange {
  first @0 :UInt32;
  last @1 :UInt32;
}

struct ChipRole {
  tpRank @0 :UInt32;
  ppStage @1 :UInt32;
  layers @2 :IndexRange;
  heads @3 :IndexRange;
  kvHeads @4 :IndexRange;
  hiddenColumns @5 :IndexRange;
  vocab @6 :IndexRange;
}

enum BufferUse { weights @0; kv @1; activation @2; receive @3; }

struct Buffer {
  name @0 :Text;
  use @1 :BufferUse;
  sramOffsetBytes @2 :Int64;
  sizeBytes @3 :Int64;
  reusable @4 :Bool;
}

enum OpKind { embed @0; rmsnorm @1; matmul @2; rope @3; attention @4; swiglu @5; add @6; lmHead @7; route @8; expertMatmul @9; }

struct Compute {
  op @0 :OpKind;
  shape @1 :List(Int64);
  inputs @2 :List(UInt32);
  outputs @3 :List(UInt32);
  cycles @4 :Int64;
  cyclesPer1024Positions @5 :Int64;  # extra cycles per 1024 positions attended (fixed point)
  sequence @6 :UInt32;               # the sequence of the batch the op works for (its position is that sequence's)
}

struct Transfer {
  peer @0 :UInt32;
  tag @1 :UInt64;
  bytes @2 :Int64;
  route @3 :List(UInt32);  # directed channel ids
  buffer @4 :UInt32;
  offsetBytes @5 :Int64;   # where in the buffer the bytes are read or written
  flightCycles @6 :Int64;  # from the send's cycle until the bytes have arrived
}

struct Instruction {
  cycle @0 :Int64;
  union {
    compute @1 :Compute;
    send @2 :Transfer;
    recv @3 :Transfer;
    collective :group { schedule @4 :UInt32; rank @5 :UInt32; }
    deskew :group { padCycles @6 :Int64; }
    runtimeDeskew :group { maxPadCycles @7 :Int64; }
    sync :group { barrier @8 :UInt32; }
  }
}

struct ChipProgram {
  chip @0 :UInt32;
  role @1 :ChipRole;
  buffers @2 :List(Buffer);
  instructions @3 :List(Instruction);
}
