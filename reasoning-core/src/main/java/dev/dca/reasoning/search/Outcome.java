package dev.dca.reasoning.search;

import java.util.Map;

/**
 * What a strategy found.
 *
 * @param answer the visible answer (null when nothing was found within the budget)
 * @param chosen the node whose chain gave the answer (its scratchpad is the hidden reasoning), or null
 * @param votes weight per normalised answer
 * @param confidence in [0, 1]
 * @param bestScore the best verifier/scorer value seen (NaN when nothing was scored)
 */
public record Outcome(String answer, Node chosen, Map<String, Double> votes, double confidence, double bestScore) {
    public Outcome {
        votes = Map.copyOf(votes);
    }
}
