package dev.dca.runtime;

/**
 * One generated sample.
 *
 * @param tokens generated ids only (no prompt; a stop token that ended generation is not included)
 * @param logprobs per generated token, or null when not requested
 * @param text decoded {@code tokens}, cut before a matched stop string
 */
public record Generation(
        int requestIndex,
        int sampleIndex,
        int promptTokenCount,
        int[] tokens,
        float[] logprobs,
        String text,
        FinishReason finishReason) {

    public enum FinishReason {
        /** an end-of-sequence or requested stop token was produced */
        STOP_TOKEN,
        /** a requested stop string appeared */
        STOP_STRING,
        /** max tokens reached */
        LENGTH,
        /** the listener asked to stop (Ctrl-C, client disconnect) */
        CANCELLED
    }
}
