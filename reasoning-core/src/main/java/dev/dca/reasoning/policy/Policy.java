package dev.dca.reasoning.policy;

import java.util.List;

/**
 * The reasoning core's only view of a language model. Adapters: the DJL engine (in the router module; batched
 * decoding and prefix forking) and any langchain4j {@code ChatModel} (remote servers; no log-probabilities).
 */
public interface Policy {

    /** Samples {@code request.n()} continuations; implementations batch them where they can. */
    List<Continuation> sample(PolicyRequest request);

    /**
     * Samples several requests with different prefixes (e.g. forced answers after several chains); backends that
     * batch decoding run them as one batch. The default runs them one by one.
     *
     * @return one list of continuations per request, in order
     */
    default List<List<Continuation>> sampleEach(List<PolicyRequest> requests) {
        List<List<Continuation>> out = new java.util.ArrayList<>(requests.size());
        for (PolicyRequest r : requests) out.add(sample(r));
        return out;
    }

    /** Tokens of the rendered prompt of a request (for usage accounting). */
    int promptTokens(PolicyRequest request);

    /** Whether {@link Continuation#tokenLogprobs()} is filled. */
    default boolean hasLogprobs() {
        return false;
    }

    /**
     * Probability the model gives to {@code option} as the very next text after the request's prefix (e.g.
     * {@code " yes"}), for self-evaluation; NaN when the backend cannot score.
     */
    default double probabilityOfNext(PolicyRequest request, String option) {
        return Double.NaN;
    }
}
