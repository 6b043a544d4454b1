// Host speed of runs spread over processes, against one process, measured in
// the same run (issue 16's table). For stories260K (greedy, 256 positions)
// and the 110M synthetic model (Q8_0, greedy, 128 positions), each round runs
// one after another, tp 4 x pp 2 but for the first:
//   one chip | one process | mpirun -n 2 | coordinator + 2 TCP workers
// and prints their host tokens/s and the ratios that matter: one process to
// one chip, mpirun and TCP to one process, TCP to mpirun. After the rounds:
// the median and the spread (min-max) of every ratio. Every run must print
// the one chip's tokens (the bench stops when one does not).
//
//   distributed_bench [--rounds N] [--lpu PATH] [--stories PATH] [--big PATH]
//
// Run it from the project root (stories260K is ../shared/models/stories260K.gguf);
// the 110M model is made in a temporary folder unless --big names one.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct Model {
    std::string name;
    std::string path;
    int positions = 0;
};

// The four ways of running, in the order of the table.
const std::vector<std::string> kWays = {"one chip", "one process", "mpirun -n 2", "2 TCP workers"};

struct Ratio {
    std::string name;
    int numerator = 0, denominator = 0;  // indexes into kWays
    const char* goal;
};
const std::vector<Ratio> kRatios = {{"process/chip", 1, 0, ">= 0.8 (110M)"},
                                    {"mpi/process", 2, 1, ">= 0.8 (110M)"},
                                    {"tcp/process", 3, 1, ">= 0.7 (110M)"},
                                    {"tcp/mpi", 3, 2, ">= 0.5 (stories260K)"}};

// `word` quoted for bash.
std::string shell_word(const std::string& word) {
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs `script` with bash and returns its stdout; exits naming it when it fails.
std::string run(const std::string& script, const fs::path& scratch) {
    const fs::path out = scratch / "out.txt", err = scratch / "err.txt";
    const std::string command = "bash -c " + shell_word(script) + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(command.c_str());
    if (status != 0) {
        std::fprintf(stderr, "distributed_bench: this failed (status %d):\n%s\n%s\n", status, script.c_str(),
                     read_file(err).c_str());
        std::exit(1);
    }
    return read_file(out);
}

// The report of a script that ends with `lpu run --json`.
nlohmann::json run_json(const std::string& script, const fs::path& scratch) {
    const nlohmann::json report = nlohmann::json::parse(run(script, scratch), nullptr, false);
    if (report.is_discarded()) {
        std::fprintf(stderr, "distributed_bench: no JSON report from:\n%s\n", script.c_str());
        std::exit(1);
    }
    return report;
}

std::vector<std::string> run_scripts(const std::string& lpu, const Model& model, const fs::path& scratch) {
    const std::string run = shell_word(lpu) + " run --model " + shell_word(model.path) + " --temperature 0 --ignore-eos --steps " +
                            std::to_string(model.positions) + " --json";
    const std::string grid = " --tp 4 --pp 2";
    const std::string ports = (scratch / "port").string();
    const std::string workers =
        "rm -f " + ports + "1 " + ports + "2; for i in 1 2; do " + shell_word(lpu) + " worker --model " +
        shell_word(model.path) + " --port-file " + ports + "$i 2>/dev/null & done; "
        "until [ -f " + ports + "1 ] && [ -f " + ports + "2 ]; do sleep 0.02; done; " + run + grid +
        " --workers 127.0.0.1:$(cat " + ports + "1),127.0.0.1:$(cat " + ports + "2); wait";
    return {run, run + grid,
            "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe --bind-to none -n 2 " + run + grid,
            workers};
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Host tokens/s of runs over processes, as ratios to one process in the same run"};
    int rounds = 3;
    std::string lpu = (fs::canonical("/proc/self/exe").parent_path().parent_path() / "lpu").string();
    std::string stories = "../shared/models/stories260K.gguf";
    std::string big;
    app.add_option("--rounds", rounds, "Rounds of every run (the spread is over them)")->capture_default_str();
    app.add_option("--lpu", lpu, "The lpu binary")->capture_default_str();
    app.add_option("--stories", stories, "stories260K.gguf")->capture_default_str();
    app.add_option("--big", big, "The 110M model (default: made with lpu model synth --preset bench-110m --dtype q8_0)");
    CLI11_PARSE(app, argc, argv);

    const fs::path scratch = fs::temp_directory_path() / ("lpu-distributed-bench-" + std::to_string(::getpid()));
    fs::create_directories(scratch);
    if (big.empty()) {
        big = (scratch / "bench-110m-q8_0.gguf").string();
        run(shell_word(lpu) + " model synth --preset bench-110m --dtype q8_0 -o " + shell_word(big), scratch);
    }
    const std::vector<Model> models = {{"stories260K", stories, 256}, {"110M Q8_0", big, 128}};

    std::printf("%-12s %4s |", "model", "pos");
    for (const auto& way : kWays) std::printf(" %13s", way.c_str());
    std::printf(" |");
    for (const auto& ratio : kRatios) std::printf(" %12s", ratio.name.c_str());
    std::printf("\n");
    // ratios[model][ratio] over the rounds
    std::vector<std::vector<std::vector<double>>> ratios(models.size(), std::vector<std::vector<double>>(kRatios.size()));
    for (int round = 0; round < rounds; ++round) {
        for (std::size_t m = 0; m < models.size(); ++m) {
            const Model& model = models[m];
            std::vector<double> speed;
            nlohmann::json tokens;
            for (const std::string& script : run_scripts(lpu, model, scratch)) {
                const nlohmann::json report = run_json(script, scratch);
                if (tokens.is_null()) tokens = report.at("tokens");
                if (report.at("tokens") != tokens) {
                    std::fprintf(stderr, "distributed_bench: these tokens differ from one chip's:\n%s\n", script.c_str());
                    return 1;
                }
                speed.push_back(report.at("stats").at("host_tokens_per_second").get<double>());
            }
            std::printf("%-12s %4d |", model.name.c_str(), model.positions);
            for (double tokens_per_second : speed) std::printf(" %13.1f", tokens_per_second);
            std::printf(" |");
            for (std::size_t r = 0; r < kRatios.size(); ++r) {
                const double value = speed[static_cast<std::size_t>(kRatios[r].numerator)] /
                                     speed[static_cast<std::size_t>(kRatios[r].denominator)];
                ratios[m][r].push_back(value);
                std::printf(" %12.2f", value);
            }
            std::printf("\n");
            std::fflush(stdout);
        }
    }
    std::printf("\nover %d rounds: median [min-max]\n", rounds);
    for (std::size_t r = 0; r < kRatios.size(); ++r) {
        std::printf("%-13s", kRatios[r].name.c_str());
        for (std::size_t m = 0; m < models.size(); ++m) {
            const auto& values = ratios[m][r];
            std::printf("  %s %.2f [%.2f-%.2f]", models[m].name.c_str(), median(values),
                        *std::min_element(values.begin(), values.end()), *std::max_element(values.begin(), values.end()));
        }
        std::printf("   goal %s\n", kRatios[r].goal);
    }
    fs::remove_all(scratch);
    return 0;
}
