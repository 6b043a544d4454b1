// llama2.c "version 0" checkpoints (no magic: the header and the exact size decide).
#include "fuzz/fuzz_input.hpp"
#include "runtime/model/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // open_model takes any file that does not start with "GGUF" as llama2.c.
    if (size >= 4 && lpu::fuzz::as_text(data, 4) == "GGUF") return 0;
    lpu::fuzz::InputFile input(data, size, ".bin");
    return lpu::fuzz::expect_only_input_errors([&] {
        const auto file = lpu::model::open_model(input.path());
        for (const auto* tensor : lpu::model::tensor_list(file->weights())) (void)tensor->size_bytes();
    });
}
