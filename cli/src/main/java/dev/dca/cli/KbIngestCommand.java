package dev.dca.cli;

import dev.dca.knowledge.IngestOptions;
import dev.dca.knowledge.IngestReport;
import dev.dca.knowledge.KnowledgeBase;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ingest", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Add files and folders (recursively: PDF, DOCX, HTML, Markdown, text) to the knowledge base. "
                + "Unchanged files are skipped, changed files replaced.")
final class KbIngestCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin KbDirOption kb;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders to ingest.")
    List<Path> paths;

    @Option(names = "--chunk-size", paramLabel = "N", description = "Chunk size in characters.")
    int chunkSize = IngestOptions.DEFAULT_CHUNK_SIZE;

    @Option(names = "--overlap", paramLabel = "N", description = "Overlap between chunks in characters.")
    int overlap = IngestOptions.DEFAULT_OVERLAP;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar (default: when stderr is a terminal).")
    Boolean progress;

    @Override
    public Integer call() throws Exception {
        IngestOptions options = IngestOptions.defaults().withChunking(chunkSize, overlap);
        var out = spec.commandLine().getOut();
        try (KnowledgeBase base = KnowledgeBase.open(kb.resolve());
                KbProgress listener = new KbProgress(System.err, progress != null ? progress : KbProgress.interactive())) {
            IngestReport r = base.ingest(paths, options, listener);
            listener.close();
            out.printf("%d files: %d added, %d updated, %d unchanged, %d skipped; %d chunks in %.1f s (%.1f chunks/s, "
                            + "%.0f%% of the time embedding) -> %s%n",
                    r.files(), r.added(), r.updated(), r.unchanged(), r.skipped(), r.chunks(), r.seconds(),
                    r.chunksPerSecond(), r.seconds() > 0 ? 100 * r.embedSeconds() / r.seconds() : 0, base.directory());
            return 0;
        }
    }
}
