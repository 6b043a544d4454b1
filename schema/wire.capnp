@0xaa22ae6d6067281b;
# Messages between `lpu run --workers ...` (the coordinator, rank 0) and its
# `lpu worker` processes (ranks 1..W), and among the workers. On the wire each
# message is a frame: an 8-byte little-endian length, then one unpacked Cap'n
# Proto message whose root is WireMessage, and after a chipMessage its
# payloadBytes raw bytes (launch/tcp/frame.hpp).

$import "/capnp/c++.capnp".namespace("lpu::schema");

struct WireMessage {
  union {
    job @0 :Job;              # coordinator -> worker: what to run
    refuse @1 :Text;          # worker -> coordinator: why it cannot
    hello @2 :Hello;          # worker -> worker, opening a mesh connection
    ready @3 :Void;           # worker -> coordinator: loaded, mesh connected
    step @4 :Step;            # coordinator -> workers: run one decode step
    chipMessage @5 :ChipMessage;  # a plan transfer between chips of two processes
    logits @6 :Data;          # head chip's process -> coordinator: one sequence's logits (floats)
    done @7 :Void;            # coordinator -> workers: the run is over
    abort @8 :Text;           # any -> any: this process failed, with why
    finish @9 :Finish;        # coordinator -> workers: generation is over, report (after the fabric run)
    report @10 :Text;         # worker -> coordinator: its chips' SRAM use and fabric figures (JSON)
    heartbeat @11 :Void;      # any -> any: still here (when nothing else was sent for a while)
  }
}

struct Job {
  protocolVersion @0 :UInt32;
  rank @1 :UInt32;                 # of the receiving worker
  ranks @2 :UInt32;                # coordinator + workers
  plan @3 :Data;                   # the plan file's bytes
  chipSpec @4 :Text;               # the spec the coordinator runs with (name or JSON text)
  endpoints @5 :List(Text);        # HOST:PORT of every worker, by rank (index 0: the coordinator, empty)
  rankOfChip @6 :List(Int32);      # by chip id: the worker rank of each plan chip, -1 for other ids
  sharingCores @7 :UInt32;         # workers on its host that compute when it does, itself included: they split the cores
}

struct Hello {
  protocolVersion @0 :UInt32;
  rank @1 :UInt32;
  planHash @2 :UInt64;             # the plan's model hash, so a stray connection is refused
}

struct Step {
  tokens @0 :List(Int32);
  positions @1 :List(Int32);       # one per token: each sequence of the batch at its own position
}

struct ChipMessage {
  src @0 :UInt32;
  dst @1 :UInt32;
  tag @2 :UInt64;
  payloadBytes @3 :UInt64;         # the message's bytes, which follow this frame raw
}

# After the last step every process runs the alignment protocol for the chips
# it hosts (its messages are chipMessages), measures their fabric figures and
# reports them with its chips' SRAM use.
struct Finish {
  seed @0 :UInt64;                 # of the crystals and link jitter
  positions @1 :Int32;             # decode steps the run made (0: no fabric run)
}
