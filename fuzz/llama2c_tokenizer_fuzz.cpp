// llama2.c tokenizer.bin files, read for a 512-token model, then used both ways.
#include "fuzz/fuzz_input.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lpu::fuzz::InputFile input(data, size, ".tok");
    return lpu::fuzz::expect_only_input_errors([&] {
        const lpu::model::Tokenizer tokenizer(lpu::model::read_llama2c_tokenizer(input.path(), 512));
        (void)tokenizer.decode(tokenizer.encode("Once upon a time \xff\xfe caf\xc3\xa9", {.add_special = true}));
    });
}
