package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelInfo;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.engine.DjlLanguageModel;
import dev.dca.runtime.hf.RandomHfModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dca bench}: prefill and decode throughput of the engine. Prefill = prompts run to their first token;
 * decode = the remaining tokens of all sequences, batched, per second of wall time. Greedy, prefix cache off,
 * random prompt ids (seeded).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure prefill and decode tokens/s and peak memory of a model (or a random one of a config's shape).")
final class BenchCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", paramLabel = "PATH", description = "Model folder or file.")
        Path model;

        @Option(names = "--random-from", paramLabel = "DIR", description = "Bench random weights shaped by DIR/config.json (written to a temp folder).")
        Path randomFrom;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "T", description = "Stored dtype of the --random-from weights: f32 or bf16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Mixin
    HoldOptions hold;

    @Option(names = "--batch", split = ",", defaultValue = "1,8", paramLabel = "B", description = "Batch sizes. Default: ${DEFAULT-VALUE}.")
    int[] batches;

    @Option(names = "--prompt-tokens", defaultValue = "128", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int genTokens;

    @Option(names = "--threads", paramLabel = "N", description = "Torch intra-op threads (default: the engine's, = cores).")
    Integer threads;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "R",
            description = "Measure every batch size R times, the sizes interleaved, and report the medians (a shared machine's "
                    + "speed drifts by minutes: interleaving keeps batch 1 and batch 8 in the same minutes). Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (threads != null) System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        if (genTokens < 2) throw new IllegalArgumentException("--gen-tokens must be >= 2");
        if (repeat < 1) throw new IllegalArgumentException("--repeat must be >= 1");
        Path tmp = null;
        Path modelPath = source.model;
        try {
            if (source.randomFrom != null) {
                tmp = Files.createTempDirectory("dca-bench-");
                modelPath = RandomHfModel.write(source.randomFrom, tmp, ModelRandomCommand.parseDtype(dtype), 42);
            }
            int maxBatch = java.util.Arrays.stream(batches).max().orElse(1);
            Map<String, Object> report = new LinkedHashMap<>();
            ai.djl.engine.Engine.getEngine("PyTorch"); // start libtorch first: load_seconds is the model's own load
            long loadStart = System.nanoTime();
            try (LanguageModel lm = ModelLoader.load(modelPath, hold.apply(LoadOptions.DEFAULT.withMaxBatch(maxBatch)))) {
                double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                if (lm instanceof DjlLanguageModel d) d.setPrefixCacheEnabled(false);
                ModelInfo info = lm.info();
                report.put("model", source.model != null ? source.model.toString() : "random " + dtype + " from " + source.randomFrom);
                report.put("parameters", info.parameters());
                report.put("stored_dtype", info.storedDtype());
                report.put("compute_dtype", info.computeDtype());
                report.put("kv_cache", hold.kvCache);
                report.put("prompt_tokens", promptTokens);
                report.put("gen_tokens", genTokens);
                report.put("threads", threads == null ? "default" : threads);
                report.put("load_seconds", loadSeconds);
                // warm-up at the measured prompt length and every batch size: first calls allocate caches and compile
                // (JIT) the kernels, and batches of 5-8 rows take other kernels than one row (a batch-8 run right after
                // a batch-1 warm-up measured 20-30% slow)
                for (int b : batches) run(lm, b, promptTokens, 4, GenerationListener.NONE);
                List<List<Map<String, Object>>> runs = new ArrayList<>();
                for (int b : batches) runs.add(new ArrayList<>());
                for (int r = 0; r < repeat; r++) {
                    for (int i = 0; i < batches.length; i++) runs.get(i).add(measure(lm, batches[i]));
                }
                List<Map<String, Object>> rows = new ArrayList<>();
                for (List<Map<String, Object>> run : runs) rows.add(medians(run));
                report.put("repeat", repeat);
                report.put("results", rows);
                if (lm instanceof DjlLanguageModel d) report.put("prefix_cache", prefixCacheGain(d));
                report.put("peak_rss_mb", peakRssMb());
            }
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(report));
            } else {
                report.forEach((k, v) -> {
                    if (!k.equals("results")) System.out.printf("%-14s %s%n", k, v);
                });
                System.out.printf("%-6s %14s %14s %14s %14s%n", "batch", "prefill tok/s", "decode tok/s", "ms/step", "cpu ms/step");
                for (Object o : (List<?>) report.get("results")) {
                    Map<?, ?> r = (Map<?, ?>) o;
                    System.out.printf("%-6s %14.1f %14.1f %14.2f %14.2f%n", r.get("batch"), r.get("prefill_tok_s"), r.get("decode_tok_s"),
                            r.get("decode_ms_per_step"), r.get("decode_cpu_ms_per_step"));
                }
            }
            return 0;
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /** One batch size's runs as one row: the median of every number, and every run's decode rate when there are several. */
    static Map<String, Object> medians(List<Map<String, Object>> runs) {
        if (runs.size() == 1) return runs.getFirst();
        Map<String, Object> row = new LinkedHashMap<>();
        for (String key : runs.getFirst().keySet()) {
            double[] v = runs.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).sorted().toArray();
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            row.put(key, runs.getFirst().get(key) instanceof Integer ? (Object) (int) Math.round(median) : (Object) median);
        }
        row.put("decode_tok_s_runs", runs.stream().map(r -> r.get("decode_tok_s")).toList());
        return row;
    }

    private Map<String, Object> measure(LanguageModel lm, int batch) {
        long t0 = System.nanoTime();
        run(lm, batch, promptTokens, 1, GenerationListener.NONE);
        double prefill = (System.nanoTime() - t0) / 1e9;
        // decode is timed inside the generation, from the moment every sequence has its first token (prefill done) to
        // the end: subtracting a separately timed prefill let prefill's run-to-run spread leak into the decode rate
        long[] mark = new long[2]; // wall and CPU time when the batch-th token arrived
        int[] tokens = {0};
        GenerationListener firstTokens = (request, sample, token, delta) -> {
            if (++tokens[0] == batch) {
                mark[0] = System.nanoTime();
                mark[1] = cpuNanos();
            }
        };
        long t1 = System.nanoTime(), c1 = cpuNanos();
        int generated = run(lm, batch, promptTokens, genTokens, firstTokens);
        long end = System.nanoTime(), endCpu = cpuNanos();
        if (mark[0] == 0) { // a sequence stopped at its first token (no callback for a stop token): fall back
            mark[0] = t1 + (long) (prefill * 1e9);
            mark[1] = c1;
        }
        double decode = Math.max(1e-9, (end - mark[0]) / 1e9);
        double decodeCpu = Math.max(0, endCpu - mark[1]) / 1e9;
        int decodeTokens = generated - batch; // the first token of each sequence comes from prefill
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("batch", batch);
        r.put("prefill_tok_s", batch * promptTokens / prefill);
        r.put("decode_tok_s", decodeTokens / decode);
        r.put("decode_ms_per_step", 1000 * decode / Math.max(1, genTokens - 1));
        // CPU seconds the process spent per decode step: on a shared, overloaded machine this is closer to what an
        // idle machine would take than wall time is (with --threads 1 it is the single-core step time)
        r.put("decode_cpu_ms_per_step", 1000 * decodeCpu / Math.max(1, genTokens - 1));
        r.put("generated_tokens", generated);
        return r;
    }

    /**
     * What the prefix cache saves when a request extends an earlier one (the reasoning core's beam search and MCTS
     * do this all the time): time to first token of prompt + 16 tokens, after the prompt ran, cold vs cached.
     */
    private Map<String, Object> prefixCacheGain(DjlLanguageModel d) {
        SplittableRandom random = new SplittableRandom(7);
        int vocab = d.info().vocabSize();
        int[] prompt = new int[promptTokens + 16];
        for (int i = 0; i < prompt.length; i++) prompt[i] = 3 + random.nextInt(vocab - 3);
        GenerationRequest base = GenerationRequest.builder(java.util.Arrays.copyOf(prompt, promptTokens)).maxTokens(1).build();
        GenerationRequest extended = GenerationRequest.builder(prompt).maxTokens(1).build();
        double[] ms = new double[2];
        for (int cached = 0; cached < 2; cached++) {
            d.setPrefixCacheEnabled(cached == 1);
            d.generate(base);
            long t0 = System.nanoTime();
            d.generate(extended);
            ms[cached] = (System.nanoTime() - t0) / 1e6;
        }
        d.setPrefixCacheEnabled(false);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("extended_prompt_tokens", prompt.length);
        r.put("first_token_ms_cold", ms[0]);
        r.put("first_token_ms_cached", ms[1]);
        return r;
    }

    /** Runs {@code batch} random prompts together; returns the number of generated tokens. */
    private static int run(LanguageModel lm, int batch, int promptTokens, int genTokens, GenerationListener listener) {
        SplittableRandom random = new SplittableRandom(batch * 31L + promptTokens);
        int vocab = lm.info().vocabSize();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] prompt = new int[promptTokens];
            for (int i = 0; i < promptTokens; i++) prompt[i] = 3 + random.nextInt(vocab - 3);
            requests.add(GenerationRequest.builder(prompt).maxTokens(genTokens).build());
        }
        int n = 0;
        for (Generation g : lm.generate(requests, listener)) n += g.tokens().length;
        return n;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Peak resident memory of this process (VmHWM: Java heap + libtorch's native allocations). */
    static long peakRssMb() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmHWM:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
