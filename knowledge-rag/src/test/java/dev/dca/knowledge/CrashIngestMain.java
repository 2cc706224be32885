package dev.dca.knowledge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Subprocess for {@link CrashSafetyTest}: ingests a folder, one file per commit, with a slow embedder, printing
 * {@code committed N} after each commit so the parent knows when to kill it.
 */
public final class CrashIngestMain {

    public static void main(String[] args) throws Exception {
        Path kbDir = Path.of(args[0]);
        Path folder = Path.of(args[1]);
        try (KnowledgeBase kb = KnowledgeBase.open(kbDir, new HashEmbedder(Long.parseLong(args[2])))) {
            IngestOptions options = IngestOptions.defaults().withEmbedBatch(1).withCommits(Duration.ZERO, 1);
            kb.ingest(List.of(folder), options, new IngestListener() {
                @Override
                public void committed(int files, int chunks) {
                    System.out.println("committed " + files);
                    System.out.flush();
                }
            });
        }
        System.out.println("done");
    }
}
