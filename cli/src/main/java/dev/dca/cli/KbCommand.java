package dev.dca.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dca kb ...}: the knowledge base (ingest, search, stats, remove, eval, bench). */
@Command(
        name = "kb",
        mixinStandardHelpOptions = true,
        description = "Manage and search the knowledge base (a Lucene index of your documents; default ~/.dca/kb).",
        subcommands = {
            KbIngestCommand.class,
            KbSearchCommand.class,
            KbStatsCommand.class,
            KbRemoveCommand.class,
            KbEvalCommand.class,
            KbBenchCommand.class,
        })
final class KbCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
