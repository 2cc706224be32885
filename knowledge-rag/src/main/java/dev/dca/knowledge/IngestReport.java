package dev.dca.knowledge;

/** Totals of one ingest run. {@code chunks} counts chunks written (embedded) in this run. */
public record IngestReport(int added, int updated, int unchanged, int skipped, int chunks, double seconds) {

    public int files() {
        return added + updated + unchanged + skipped;
    }

    public double chunksPerSecond() {
        return seconds > 0 ? chunks / seconds : 0;
    }
}
