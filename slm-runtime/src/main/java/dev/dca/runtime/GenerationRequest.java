package dev.dca.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One prompt (already tokenized, BOS included if the model wants it) and how to continue it.
 *
 * @param n number of independent samples; they share the prompt's KV cache (prefix forking)
 * @param maxTokens generated tokens per sample, at most
 * @param stopTokenIds generation ends after emitting one of these (it is kept out of {@code text})
 * @param stopStrings generation ends when the decoded text contains one (the text is cut before it)
 * @param logprobs whether to return the log-probability of each generated token (under the unfiltered softmax)
 */
public record GenerationRequest(
        int[] promptTokens,
        int n,
        int maxTokens,
        SamplingParams sampling,
        int[] stopTokenIds,
        List<String> stopStrings,
        boolean logprobs) {

    public GenerationRequest {
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(sampling, "sampling");
        if (promptTokens.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token (e.g. BOS)");
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        if (maxTokens < 0) throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
        promptTokens = promptTokens.clone();
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    public static Builder builder(int[] promptTokens) {
        return new Builder(promptTokens);
    }

    @Override
    public String toString() {
        return "GenerationRequest[prompt=" + promptTokens.length + " tokens, n=" + n + ", maxTokens=" + maxTokens
                + ", sampling=" + sampling + ", stopTokenIds=" + Arrays.toString(stopTokenIds) + ", stopStrings="
                + stopStrings + ", logprobs=" + logprobs + "]";
    }

    public static final class Builder {
        private final int[] promptTokens;
        private int n = 1;
        private int maxTokens = 256;
        private SamplingParams sampling = SamplingParams.GREEDY;
        private int[] stopTokenIds = new int[0];
        private List<String> stopStrings = List.of();
        private boolean logprobs;

        private Builder(int[] promptTokens) { this.promptTokens = promptTokens; }

        public Builder n(int v) { n = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder sampling(SamplingParams v) { sampling = v; return this; }
        public Builder stopTokenIds(int... v) { stopTokenIds = v; return this; }
        public Builder stopStrings(List<String> v) { stopStrings = v; return this; }
        public Builder logprobs(boolean v) { logprobs = v; return this; }

        public GenerationRequest build() {
            return new GenerationRequest(promptTokens, n, maxTokens, sampling, stopTokenIds, stopStrings, logprobs);
        }
    }
}
