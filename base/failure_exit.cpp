#include "base/failure_exit.hpp"

#include <filesystem>
#include <new>

#include "base/error.hpp"

namespace lpu {

int report_failure(const std::exception_ptr& failure, std::ostream& err) {
    try {
        std::rethrow_exception(failure);
    } catch (const Error& e) {
        err << "error: " << e.what() << "\n";
        return 2;
    } catch (const InternalError& e) {
        // A bug in lpu, not the user's input: said apart, with its own exit status.
        err << "error: internal: " << e.what() << "\n";
        return 1;
    } catch (const std::filesystem::filesystem_error& e) {
        // A path the user gave that the file system refuses (too long, not a directory).
        err << "error: " << e.code().message() << ": '" << e.path1().string() << "'\n";
        return 2;
    } catch (const std::bad_alloc&) {
        err << "error: out of memory\n";
        return 2;
    } catch (const std::exception& e) {
        err << "error: internal: " << e.what() << "\n";
        return 1;
    } catch (...) {
        err << "error: internal: an exception of unknown type\n";
        return 1;
    }
}

}  // namespace lpu
