#pragma once
// The model `lpu serve` answers with, placed the way the options ask, as
// `lpu run` places it, and independent of the HTTP side (serve/), which gets
// only the model, its tokenizer and its name: over TCP with `lpu worker`
// processes (tcp/tcp_serve.hpp, this process the coordinator), under mpirun
// (mpi/mpi_serve.hpp: rank 0 serves, the other ranks follow its steps), or
// in this process as `lpu chat`'s (inprocess/in_process_model.hpp: on one
// chip, or on every chip of the compiled or loaded plan). A plan compiled
// with batch B gives B slots to continuous batching
// (runtime/engine/batch_scheduler.hpp).
#include <functional>
#include <string>

#include "launch/peer_liveness.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::launch {

struct ServingRequest {
    std::string model_path;
    std::string tokenizer_path;  // llama2.c tokenizer.bin beside a checkpoint
    SystemOptions system;        // system.compile.batch: the batch slots
    std::string workers;         // HOST:PORT,... of `lpu worker` processes, or empty
    bool print_placement = false;  // under mpirun: which rank runs which chips
    PeerLiveness liveness;       // of the other processes of an MPI or TCP run
};

struct ServingModel {
    engine::LanguageModel& model;
    const model::Tokenizer& tokenizer;
    std::string name;  // what clients call it: the model file's name without its extension
    std::string grid;  // "1 chip", "tp 2 x pp 2 on fc:4"
};

// Builds the model and its tokenizer, then calls `serve` with them and returns
// when it does. Under mpirun only rank 0 calls `serve`; the other ranks return
// when it has. Throws lpu::Error when the model cannot be placed.
void with_serving_model(const ServingRequest& request, const std::function<void(const ServingModel&)>& serve);

}  // namespace lpu::launch
