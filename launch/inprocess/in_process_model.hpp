#pragma once
// A model ready to run in this process, as the system options ask: on one chip,
// or on the compiled (or loaded) plan with every chip here, talking over an
// in-process transport. What `lpu chat` runs on.
#include <memory>
#include <string>

#include "launch/inprocess/in_process_transport.hpp"
#include "launch/plan_setup.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::launch::inprocess {

// The transport lives as long as the model that sends through it.
struct InProcessModel {
    std::unique_ptr<InProcessTransport> transport;  // null on one chip
    std::unique_ptr<engine::LanguageModel> model;
    std::string grid;  // "1 chip" or "tp 2 x pp 2 on fc:4"
};

InProcessModel in_process_model(const model::ModelFile& file, const SystemOptions& options);

}  // namespace lpu::launch::inprocess
