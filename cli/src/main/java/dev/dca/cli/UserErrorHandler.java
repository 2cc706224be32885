package dev.dca.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Maps exceptions to exit codes. Errors a user can fix (bad files, bad arguments, oversized prompts) print one
 * line, {@code dca: <message>}, and exit 2; anything else is a bug and prints its stack trace (exit 1). Set
 * {@code DCA_DEBUG=1} to see traces for user errors too.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        boolean debug = System.getenv("DCA_DEBUG") != null;
        if (isUserError(ex)) {
            cmd.getErr().println("dca: " + ex.getMessage());
            if (debug) ex.printStackTrace(cmd.getErr());
            return 2;
        }
        ex.printStackTrace(cmd.getErr());
        return 1;
    }

    static boolean isUserError(Throwable ex) {
        // Library modules signal user errors with these types (ModelFormatException, ContextLengthExceeded... and
        // the knowledge base's own) rather than a shared base class, to keep the modules independent.
        return ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException
                || ex instanceof java.io.UncheckedIOException
                || ex instanceof java.io.IOException
                || ex.getClass().getSimpleName().endsWith("FormatException")
                || ex.getClass().getSimpleName().endsWith("UserException");
    }
}
