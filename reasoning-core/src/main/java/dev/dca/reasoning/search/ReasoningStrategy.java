package dev.dca.reasoning.search;

/**
 * A way to spend an inference budget on a question. Implementations are anytime: when the budget runs out they
 * return the best answer found so far instead of failing. They sample only through {@link SearchContext}, which
 * enforces the budget.
 */
public interface ReasoningStrategy {

    /** Short name: {@code direct}, {@code cot}, {@code self-consistency}, ... */
    String name();

    Outcome search(SearchContext ctx);

    /** Parameters for the summary, e.g. {@code "n=8"}. */
    default String describe() {
        return name();
    }
}
