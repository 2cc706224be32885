package dev.dca.knowledge.eval;

import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.SearchMode;
import dev.dca.knowledge.SearchRequest;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Query latency at scale. Fills a knowledge base with {@code chunks} synthetic chunks — text drawn from a Zipf-
 * distributed vocabulary of pseudo-words, and random unit vectors instead of embeddings (embedding 100k chunks would
 * take hours on a laptop CPU; the vectors' values do not change HNSW's cost much, and random vectors are a hard case
 * for it) — through the public {@code EmbeddingStore}, then times {@code search} per mode. Queries are embedded for
 * real with the knowledge base's model, so dense and hybrid latencies include the query embedding.
 */
public final class KbBenchmark {

    public record Latency(String mode, double p50Millis, double p99Millis, double meanMillis) {}

    public record Result(int chunks, double buildSeconds, long bytesOnDisk, Map<String, Latency> latency,
            Latency embedOnly) {}

    private final KnowledgeBase kb;
    private final SplittableRandom random;
    private final String[] vocabulary;
    private final double[] zipfCdf;

    public KbBenchmark(KnowledgeBase kb, long seed) {
        this.kb = kb;
        this.random = new SplittableRandom(seed);
        this.vocabulary = new String[20_000];
        for (int i = 0; i < vocabulary.length; i++) vocabulary[i] = pseudoWord();
        this.zipfCdf = new double[vocabulary.length];
        double sum = 0;
        for (int i = 0; i < vocabulary.length; i++) zipfCdf[i] = sum += 1.0 / (i + 1);
        for (int i = 0; i < vocabulary.length; i++) zipfCdf[i] /= sum;
    }

    /** Adds synthetic chunks until the knowledge base holds at least {@code target}; returns seconds spent. */
    public double fill(int target, PrintWriter log) throws IOException {
        long t0 = System.nanoTime();
        int have = kb.stats().chunks();
        int dim = kb.embedder().dimension();
        var store = kb.embeddingStore();
        final int batch = 10_000;
        for (int start = have; start < target; start += batch) {
            int n = Math.min(batch, target - start);
            List<String> ids = new ArrayList<>(n);
            List<Embedding> vectors = new ArrayList<>(n);
            List<TextSegment> segments = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int c = start + i;
                ids.add("synthetic-" + c);
                vectors.add(Embedding.from(randomUnitVector(dim)));
                segments.add(TextSegment.from(sentence(120), new Metadata()
                        .put("path", "synthetic/doc-" + (c / 20) + ".txt").put("type", "txt")
                        .put("title", "synthetic document " + (c / 20))));
            }
            store.addAll(ids, vectors, segments);
            if (log != null) {
                log.printf("indexed %d / %d chunks (%.0f s)%n", start + n, target, (System.nanoTime() - t0) / 1e9);
                log.flush();
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Times {@code queries} searches (k=10) per mode after {@code warmup} untimed ones. */
    public Map<String, Latency> measure(int queries, int warmup) throws IOException {
        List<String> texts = new ArrayList<>(queries + warmup);
        for (int i = 0; i < queries + warmup; i++) texts.add(sentence(4 + random.nextInt(8)));
        Map<String, Latency> out = new LinkedHashMap<>();
        double[] embed = new double[queries];
        for (int i = 0; i < queries + warmup; i++) {
            long t0 = System.nanoTime();
            kb.embedder().embed(texts.get(i));
            if (i >= warmup) embed[i - warmup] = (System.nanoTime() - t0) / 1e6;
        }
        out.put("embed-query-only", latency("embed-query-only", embed));
        for (SearchMode mode : SearchMode.values()) {
            double[] ms = new double[queries];
            for (int i = 0; i < queries + warmup; i++) {
                SearchRequest r = SearchRequest.builder(texts.get(i)).mode(mode).k(10).build();
                long t0 = System.nanoTime();
                kb.search(r);
                if (i >= warmup) ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
            }
            out.put(mode.label(), latency(mode.label(), ms));
        }
        return out;
    }

    private static Latency latency(String mode, double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new Latency(mode, BeirEvaluator.percentile(sorted, 50), BeirEvaluator.percentile(sorted, 99),
                Arrays.stream(ms).average().orElse(0));
    }

    private float[] randomUnitVector(int dim) {
        float[] v = new float[dim];
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            // Gaussian via Box-Muller: uniform on the sphere after normalising.
            double g = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            v[i] = (float) g;
            norm += g * g;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dim; i++) v[i] *= inv;
        return v;
    }

    private String sentence(int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) sb.append(' ');
            int at = Arrays.binarySearch(zipfCdf, random.nextDouble());
            sb.append(vocabulary[Math.min(vocabulary.length - 1, at < 0 ? -at - 1 : at)]);
        }
        return sb.toString();
    }

    private String pseudoWord() {
        String consonants = "bcdfghklmnprstvz", vowels = "aeiou";
        int syllables = 1 + random.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < syllables; i++)
            sb.append(consonants.charAt(random.nextInt(consonants.length()))).append(vowels.charAt(random.nextInt(vowels.length())));
        if (random.nextBoolean()) sb.append(consonants.charAt(random.nextInt(consonants.length())));
        return sb.toString();
    }
}
