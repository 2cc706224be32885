package dev.dca.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dca}: the command line entry point. Subcommands only wire options to the library. */
@Command(
        name = "dca",
        mixinStandardHelpOptions = true,
        version = "dca 0.1.0",
        description = "Offline small-language-model runtime: language, knowledge and reasoning, divided and conquered.",
        subcommands = {
            CommandLine.HelpCommand.class,
            KbCommand.class,
            AskCommand.class, ChatCommand.class, ServeCommand.class, EvalCommand.class, ReasonBenchCommand.class,
            GenerateCommand.class, ModelCommand.class, BenchCommand.class, TrainCommand.class,
        })
public final class Dca implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Lucene announces its vector implementation at INFO on every start; users need only its warnings. */
    private static final java.util.logging.Logger LUCENE_LOG = java.util.logging.Logger.getLogger("org.apache.lucene");

    /** Runs a command line; user errors print one line (no stack trace) and exit 2. */
    public static int execute(String... args) {
        System.setProperty("ai.djl.offline", "true");
        LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
        CommandLine cli = new CommandLine(new Dca());
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        return cli.execute(args);
    }
}
