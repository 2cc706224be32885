package dev.dca.router;

/** Follows one answer as it is produced; all methods are called on the answering thread. */
public interface AnswerListener {

    AnswerListener NONE = new AnswerListener() {};

    /** The route is decided (before any generation). */
    default void onRoute(RouteDecision decision) {}

    /** Hidden reasoning progressed: tokens spent so far and the budget's cap. */
    default void onThinking(int reasoningTokens, int budgetTokens) {}

    /** New visible answer text. */
    default void onText(String delta) {}

    /** Polled between decode steps and while queued; true stops the answer (Ctrl-C, client disconnected). */
    default boolean cancelled() {
        return false;
    }
}
