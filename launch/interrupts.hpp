#pragma once
// Ctrl-C (SIGINT) and SIGTERM, for every `lpu` command: say so on stderr and
// exit at once with 128 + the signal's number. In a distributed run that is
// the clean way out: the process's sockets and MPI connections close with it,
// so every peer sees it go and exits non-zero naming it (mpirun forwards
// Ctrl-C to the ranks as SIGTERM). A handler is installed even where the
// shell left the signal ignored (a background job), so `kill -INT` always works.
namespace lpu::launch {

void install_interrupt_handlers();

}  // namespace lpu::launch
