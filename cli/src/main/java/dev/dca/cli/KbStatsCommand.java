package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dca.knowledge.KbStats;
import dev.dca.knowledge.KnowledgeBase;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show what the knowledge base holds: files, chunks, size on disk, chunks per type.")
final class KbStatsCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin KbDirOption kb;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        try (KnowledgeBase base = KnowledgeBase.open(kb.existing())) {
            KbStats s = base.stats();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
            } else {
                out.printf("knowledge base: %s%n", s.directory());
                out.printf("files:          %d%n", s.documents());
                out.printf("chunks:         %d%n", s.chunks());
                out.printf("size on disk:   %.1f MiB%n", s.bytesOnDisk() / 1048576.0);
                out.printf("embeddings:     %s (%d dims)%n", s.embeddingModel(), s.dimension());
                s.chunksByType().forEach((t, n) -> out.printf("  %-12s  %d chunks%n", t, n));
            }
            return 0;
        }
    }
}
