package dev.dca.reasoning.verify;

import dev.dca.reasoning.search.SearchContext;
import java.util.List;

/**
 * What a scorer sees: the question, the steps before the one being scored, the step itself and, for a complete
 * chain, its final answer.
 *
 * @param search the running search (policy, budget), for scorers that call the model; null outside a search
 */
public record StepContext(String question, String context, List<String> previousSteps, String step, String answer,
        SearchContext search) {

    public StepContext {
        previousSteps = List.copyOf(previousSteps);
        step = step == null ? "" : step;
    }

    /** All steps, the scored one last. */
    public List<String> allSteps() {
        var all = new java.util.ArrayList<>(previousSteps);
        if (!step.isEmpty()) all.add(step);
        return all;
    }
}
