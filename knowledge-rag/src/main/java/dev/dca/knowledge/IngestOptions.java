package dev.dca.knowledge;

import java.time.Duration;

/**
 * How files are chunked and how often the index commits. Chunk size and overlap are in characters (langchain4j's
 * recursive paragraph/sentence splitter). A commit makes everything ingested so far durable; a crash loses at most
 * the work since the last one, and a re-run redoes exactly that (unchanged files are skipped by content hash).
 */
public record IngestOptions(int chunkSize, int overlap, int embedBatch, Duration commitInterval, int commitEveryFiles) {

    public static final int DEFAULT_CHUNK_SIZE = 1000;
    public static final int DEFAULT_OVERLAP = 100;

    public IngestOptions {
        if (chunkSize < 50 || chunkSize > 100_000)
            throw new IllegalArgumentException("chunk size must be in 50..100000 characters: " + chunkSize);
        if (overlap < 0 || overlap >= chunkSize)
            throw new IllegalArgumentException("overlap must be in 0.." + (chunkSize - 1) + ": " + overlap);
        if (embedBatch < 1) throw new IllegalArgumentException("embed batch must be >= 1: " + embedBatch);
        if (commitInterval == null || commitInterval.isNegative())
            throw new IllegalArgumentException("commit interval must be >= 0");
        if (commitEveryFiles < 1) throw new IllegalArgumentException("commitEveryFiles must be >= 1");
    }

    public static IngestOptions defaults() {
        return new IngestOptions(DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP, 64, Duration.ofSeconds(10), 10_000);
    }

    public IngestOptions withChunking(int size, int overlap) {
        return new IngestOptions(size, overlap, embedBatch, commitInterval, commitEveryFiles);
    }

    public IngestOptions withCommits(Duration interval, int everyFiles) {
        return new IngestOptions(chunkSize, overlap, embedBatch, interval, everyFiles);
    }

    public IngestOptions withEmbedBatch(int batch) {
        return new IngestOptions(chunkSize, overlap, batch, commitInterval, commitEveryFiles);
    }
}
