package dev.dca.reasoning.search;

import dev.dca.reasoning.eval.AnswerExtractor;
import java.util.Map;

/** The anytime fallback of step-level searches: an answer for the best unfinished chain. */
final class Anytime {

    private Anytime() {}

    /**
     * Forces an answer line after {@code best}'s scratchpad if the budget still allows a short call; otherwise
     * takes the last number the scratchpad wrote (low confidence).
     */
    static Outcome fromPartial(SearchContext ctx, Node best) {
        if (best == null || best == ctx.root()) return new Outcome(null, null, Map.of(), 0, Double.NaN);
        String answer = ctx.forceAnswer(ctx.conversation(), best.prefix());
        double conf = 0.3;
        if (answer == null) {
            answer = AnswerExtractor.lastNumber(best.prefix());
            conf = 0.1;
        }
        if (answer != null) best.answer(answer);
        return new Outcome(answer, best, answer == null ? Map.of() : Map.of(answer, 1.0), answer == null ? 0 : conf,
                best.pathScore());
    }
}
