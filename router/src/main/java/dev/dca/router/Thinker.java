package dev.dca.router;

import dev.dca.reasoning.Effort;
import dev.dca.reasoning.policy.Policy;
import java.util.Map;

/** Runs the reasoning core for one question; the router's only view of it. */
public interface Thinker {

    /**
     * @param context grounding sources (numbered), or null
     * @param effort LOW, MEDIUM or HIGH
     * @param maxReasoningTokens null keeps the effort's default budget
     */
    Thought think(Policy policy, String question, String context, Effort effort, Integer maxReasoningTokens, Long seed);

    /** The reasoning-token cap that {@link #think} will respect, for progress display. */
    default int reasoningBudget(Effort effort, Integer maxReasoningTokens) {
        return maxReasoningTokens != null ? maxReasoningTokens : effort.defaultBudget().maxReasoningTokens();
    }

    /**
     * @param answer the visible answer
     * @param trace the hidden reasoning (the best chain, or the search trace rendered as text)
     * @param summary a short summary of the reasoning
     */
    record Thought(String answer, String strategy, Usage usage, Map<String, Object> stats, String trace, String summary) {}
}
