#pragma once
// How a command ends when it throws: the one line it prints and the exit status.
//   lpu::Error (bad input)            "error: <message>"           2
//   a path the file system refuses    "error: <reason>: '<path>'"  2
//   out of memory                     "error: out of memory"       2
//   lpu::InternalError (a bug)        "error: internal: <message>" 1
//   any other exception (a bug)       "error: internal: <message>" 1
// (CLI11's own parse errors are the command line's to report, before these.)
#include <exception>
#include <ostream>

namespace lpu {

// Prints the line for `failure` (a thrown exception) to `err` and returns the
// exit status.
int report_failure(const std::exception_ptr& failure, std::ostream& err);

}  // namespace lpu
