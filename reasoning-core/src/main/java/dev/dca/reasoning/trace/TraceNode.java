package dev.dca.reasoning.trace;

import java.util.Map;

/**
 * Snapshot of one search node.
 *
 * @param parent the parent's id, -1 for the root
 * @param answer the final answer this node reached, or null
 * @param value mean backed-up value (NaN before the first visit)
 * @param correct whether this node's answer (or, for an inner node, the best answer below it) matches the gold
 *     answer; null when no gold answer is known or nothing below answered
 */
public record TraceNode(int id, int parent, String kind, int depth, String text, int tokens, Map<String, Double> scores,
        double score, int visits, double value, String answer, boolean terminal, Boolean correct) {

    public TraceNode {
        scores = Map.copyOf(scores);
    }
}
