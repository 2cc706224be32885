package dev.dca.reasoning.policy;

/**
 * One sampled continuation.
 *
 * @param tokens generated tokens (counted against the reasoning budget)
 * @param tokenLogprobs per-token log-probabilities, or null when the backend has none
 * @param stoppedBy the stop string that ended it, or null (end of sequence or max tokens)
 * @param endOfSequence the model ended its turn
 */
public record Continuation(String text, int tokens, double[] tokenLogprobs, String stoppedBy, boolean endOfSequence) {

    /** Sum of token log-probabilities, or NaN when the backend has none. */
    public double logprob() {
        if (tokenLogprobs == null) return Double.NaN;
        double s = 0;
        for (double lp : tokenLogprobs) s += lp;
        return s;
    }
}
