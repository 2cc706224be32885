package dev.dca.knowledge;

/**
 * One retrieved chunk. {@code score} is comparable only within one result list (BM25 scores, cosine-derived
 * scores in [0,1], or fused scores, depending on the mode).
 */
public record SearchHit(
        String chunkId, double score, String source, String title, String fileType, Location location, String text) {

    /** {@code source (location)}, for citations. */
    public String citation() {
        return source + " (" + location + ")";
    }
}
