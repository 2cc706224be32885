package dev.dca.reasoning;

import dev.dca.reasoning.trace.ReasoningTrace;

/**
 * The result of one solve. The visible part is {@link #answer()}, {@link #summary()}, {@link #usage()},
 * {@link #stats()} and {@link #confidence()}; the hidden reasoning ({@link #reasoning()}, {@link #trace()}) stays
 * in memory and is shown only when the caller asks for it ({@code toString} leaves it out).
 *
 * @param answer the visible answer (never contains the scratchpad); null when none was found within the budget
 * @param strategy the strategy that ran, with its parameters
 */
public record ReasoningResult(String answer, String strategy, String summary, Usage usage, SearchStats stats,
        double confidence, String reasoning, ReasoningTrace trace) {

    /** Whether an answer was found. */
    public boolean answered() {
        return answer != null && !answer.isBlank();
    }

    @Override
    public String toString() {
        return "ReasoningResult[answer=" + answer + ", strategy=" + strategy + ", confidence="
                + String.format("%.2f", confidence) + ", usage=" + usage + ", stats=" + stats + "]";
    }
}
