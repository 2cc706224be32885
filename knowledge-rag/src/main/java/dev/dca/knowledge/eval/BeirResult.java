package dev.dca.knowledge.eval;

/** Scores of one retrieval mode on a BEIR dataset, plus indexing time and per-query latency (ms). */
public record BeirResult(String mode, double ndcgAt10, double recallAt100, int queries, int docs, int chunks,
        double indexSeconds, double p50Millis, double p99Millis) {}
