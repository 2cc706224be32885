package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.knowledge.Fusion;
import dev.dca.knowledge.IngestOptions;
import dev.dca.knowledge.IngestReport;
import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.SearchMode;
import dev.dca.knowledge.eval.BeirDataset;
import dev.dca.knowledge.eval.BeirEvaluator;
import dev.dca.knowledge.eval.BeirResult;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "eval", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Index a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/test.tsv) into a temporary knowledge "
                + "base and report nDCG@10 and recall@100.")
final class KbEvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--beir", required = true, paramLabel = "DIR", description = "BEIR dataset folder.")
    Path beir;

    @Option(names = "--mode", paramLabel = "MODE", description = "bm25, dense, hybrid or all.")
    String mode = "hybrid";

    @Option(names = "--fusion", paramLabel = "F", description = "Hybrid fusion: normalized, rrf or all.")
    String fusion = "normalized";

    @Option(names = "--dense-weight", paramLabel = "W", description = "Dense weight for normalized fusion.")
    double denseWeight = 0.5;

    @Option(names = "--split", paramLabel = "S", description = "Qrels split (qrels/S.tsv).")
    String split = "test";

    @Option(names = "--chunk-size", paramLabel = "N", description = "Chunk size in characters.")
    int chunkSize = IngestOptions.DEFAULT_CHUNK_SIZE;

    @Option(names = "--overlap", paramLabel = "N", description = "Overlap between chunks in characters.")
    int overlap = IngestOptions.DEFAULT_OVERLAP;

    @Option(names = "--kb", paramLabel = "DIR",
            description = "Keep the index in DIR (re-runs reuse it) instead of a temporary folder.")
    Path kbDir;

    @Option(names = "--json", description = "Print JSON: one object per mode.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<SearchMode> modes = mode.equalsIgnoreCase("all") ? List.of(SearchMode.values()) : List.of(SearchMode.parse(mode));
        List<Fusion> fusions = fusion.equalsIgnoreCase("all") ? List.of(Fusion.values()) : List.of(Fusion.parse(fusion));
        BeirDataset data = BeirDataset.load(beir, split);
        Path dir = kbDir != null ? kbDir : Files.createTempDirectory("dca-beir-");
        var out = spec.commandLine().getOut();
        try (KnowledgeBase kb = KnowledgeBase.open(dir);
                KbProgress progress = new KbProgress(System.err, KbProgress.interactive())) {
            BeirEvaluator evaluator = new BeirEvaluator(kb, data);
            IngestReport indexing = evaluator.index(IngestOptions.defaults().withChunking(chunkSize, overlap), progress);
            progress.close();
            List<BeirResult> all = new ArrayList<>();
            for (SearchMode m : modes)
                for (Fusion f : m == SearchMode.HYBRID ? fusions : List.of(fusions.get(0)))
                    all.add(evaluator.evaluate(m, f, denseWeight, indexing));
            for (BeirResult r : all) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("mode", r.mode());
                o.put("ndcg@10", round(r.ndcgAt10()));
                o.put("recall@100", round(r.recallAt100()));
                o.put("queries", r.queries());
                o.put("docs", r.docs());
                o.put("chunks", r.chunks());
                o.put("index_seconds", round(r.indexSeconds()));
                o.put("query_ms_p50", round(r.p50Millis()));
                o.put("query_ms_p99", round(r.p99Millis()));
                if (json) out.println(new ObjectMapper().writeValueAsString(o));
                else out.printf("%-18s nDCG@10 %.4f  recall@100 %.4f  (%d queries, %d docs, %d chunks, indexed in %.1f s; query p50 %.1f ms, p99 %.1f ms)%n",
                        r.mode(), r.ndcgAt10(), r.recallAt100(), r.queries(), r.docs(), r.chunks(), r.indexSeconds(),
                        r.p50Millis(), r.p99Millis());
            }
        } finally {
            if (kbDir == null) deleteTree(dir);
        }
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
