package dev.dca.runtime;

/** Streaming callback; called on the generating thread after each token of each sample. */
public interface GenerationListener {

    GenerationListener NONE = (request, sample, token, textDelta) -> {};

    /**
     * @param textDelta the newly decodable text (may be empty while a multi-byte character is incomplete, and
     *     never includes text past a stop string)
     */
    void onToken(int requestIndex, int sampleIndex, int tokenId, String textDelta);

    /** Polled between decode steps; returning true ends every sample with {@code CANCELLED}. */
    default boolean cancelled() {
        return false;
    }
}
