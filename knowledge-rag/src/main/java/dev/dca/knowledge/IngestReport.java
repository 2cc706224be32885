package dev.dca.knowledge;

/**
 * Totals of one ingest run. {@code chunks} counts chunks written (embedded) in this run; {@code embedSeconds} is
 * the part of {@code seconds} spent inside the embedding model (the rest is hashing, parsing, splitting, indexing).
 */
public record IngestReport(int added, int updated, int unchanged, int skipped, int chunks, double seconds,
        double embedSeconds) {

    public int files() {
        return added + updated + unchanged + skipped;
    }

    public double chunksPerSecond() {
        return seconds > 0 ? chunks / seconds : 0;
    }
}
