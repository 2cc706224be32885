package dev.dca.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dca model ...}: inspect and make models. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Inspect and make models.",
        subcommands = {ModelInfoCommand.class, ModelRandomCommand.class})
final class ModelCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
