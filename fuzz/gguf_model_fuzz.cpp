// GGUF files: the header, metadata, tensor table and vocabulary, as `lpu run`
// and `lpu model info` read them; then the tokenizer built from the file, both ways.
#include "fuzz/fuzz_input.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    lpu::fuzz::InputFile input(data, size, ".gguf");
    return lpu::fuzz::expect_only_input_errors([&] {
        const auto file = lpu::model::open_model(input.path());
        for (const auto* tensor : lpu::model::tensor_list(file->weights())) (void)tensor->size_bytes();
        if (auto vocabulary = file->tokenizer()) {
            // SentencePiece or byte-level BPE (its merges and pre-tokenizer), with the
            // special tokens the file declares parsed out of the text, or not.
            const lpu::model::Tokenizer tokenizer(std::move(*vocabulary));
            for (const bool special : {false, true}) {
                const auto ids = tokenizer.encode(
                    "<s>Once upon a time, 42 \xe2\x96\x81 caf\xc3\xa9 \xf0\x9f\x99\x82<|im_start|>  it's\n\n",
                    {.add_special = true, .parse_special = special});
                (void)tokenizer.decode(ids, /*render_special=*/special);
            }
        }
    });
}
