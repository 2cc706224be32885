package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.eval.KbBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Query latency per mode on a synthetic knowledge base (synthetic text, random vectors; "
                + "queries embedded for real).")
final class KbBenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--chunks", paramLabel = "N", description = "Synthetic chunks to index.")
    int chunks = 100_000;

    @Option(names = "--queries", paramLabel = "N", description = "Timed queries per mode.")
    int queries = 200;

    @Option(names = "--kb", paramLabel = "DIR", required = true,
            description = "Folder for the synthetic knowledge base (kept; re-runs top it up to --chunks).")
    Path dir;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (chunks < 1 || queries < 1) throw new IllegalArgumentException("--chunks and --queries must be >= 1");
        var out = spec.commandLine().getOut();
        Files.createDirectories(dir);
        try (KnowledgeBase kb = KnowledgeBase.open(dir)) {
            KbBenchmark bench = new KbBenchmark(kb, 42);
            double build = bench.fill(chunks, json ? null : out);
            var latency = bench.measure(queries, 20);
            var stats = kb.stats();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("chunks", stats.chunks());
            o.put("build_seconds", Math.round(build * 10) / 10.0);
            o.put("bytes_on_disk", stats.bytesOnDisk());
            latency.forEach((mode, l) -> o.put(mode, Map.of("p50_ms", round(l.p50Millis()), "p99_ms", round(l.p99Millis()),
                    "mean_ms", round(l.meanMillis()))));
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                out.printf("%d chunks, %.1f MiB on disk, built in %.1f s%n", stats.chunks(), stats.bytesOnDisk() / 1048576.0, build);
                latency.forEach((mode, l) -> out.printf("%-18s p50 %.2f ms  p99 %.2f ms  mean %.2f ms%n", mode,
                        l.p50Millis(), l.p99Millis(), l.meanMillis()));
            }
            return 0;
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
