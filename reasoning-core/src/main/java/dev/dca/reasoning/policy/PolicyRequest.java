package dev.dca.reasoning.policy;

import java.util.List;
import java.util.Objects;

/**
 * Continue a partial assistant reply: the conversation is rendered with the model's chat format, the assistant's
 * turn is opened, {@code assistantPrefix} (the hidden scratchpad so far) is appended, and {@code n} continuations
 * are sampled from there. Continuations of one request share that prefix, so backends fork it instead of
 * recomputing it.
 *
 * @param stopStrings sampling stops at the first of these (a step delimiter such as {@code "\n"}, or an answer
 *     marker); the stop string is not part of the continuation text
 * @param seed base seed; sample {@code i} uses a seed derived from it, so results are reproducible
 */
public record PolicyRequest(
        List<Turn> conversation,
        String assistantPrefix,
        int n,
        int maxTokens,
        double temperature,
        double topP,
        List<String> stopStrings,
        long seed,
        boolean logprobs) {

    public PolicyRequest {
        Objects.requireNonNull(conversation, "conversation");
        conversation = List.copyOf(conversation);
        assistantPrefix = assistantPrefix == null ? "" : assistantPrefix;
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
}
