// The CLI's commands write through Spectre's static AnsiConsole.Console, which CliApp points at the caller's console:
// two commands running at once in one process would write into each other's output.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
