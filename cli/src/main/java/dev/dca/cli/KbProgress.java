package dev.dca.cli;

import dev.dca.knowledge.IngestListener;
import dev.dca.knowledge.IngestOutcome;
import java.io.PrintStream;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Ingest progress for the terminal: a progress bar (files, rate, chunks) when asked or when stderr is a terminal;
 * warnings (skipped files) always, one line each.
 */
final class KbProgress implements IngestListener, AutoCloseable {

    private final PrintStream err;
    private final boolean bar;
    private ProgressBar progress;
    private int chunks;

    KbProgress(PrintStream err, boolean bar) {
        this.err = err;
        this.bar = bar;
    }

    /** Whether stderr looks like an interactive terminal (JDK 22+ can tell exactly; 21 only knows of a console). */
    static boolean interactive() {
        var console = System.console();
        if (console == null || System.getenv("TERM") == null || "dumb".equals(System.getenv("TERM"))) return false;
        try {
            return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Override
    public void started(int files) {
        if (!bar) return;
        progress = new ProgressBarBuilder()
                .setTaskName("ingest")
                .setInitialMax(files)
                .setUnit(" files", 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .build();
    }

    @Override
    public void fileDone(String source, IngestOutcome outcome, int n) {
        if (n > 0 && outcome != IngestOutcome.UNCHANGED) chunks += n;
        if (progress != null) {
            progress.step();
            progress.setExtraMessage(chunks + " chunks");
        }
    }

    @Override
    public void warning(Path file, String message) {
        if (progress != null) progress.pause();
        err.println("\rdca: warning: " + message);
        if (progress != null) progress.resume();
    }

    @Override
    public void close() {
        if (progress != null) progress.close();
    }
}
