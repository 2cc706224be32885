package dev.dca.router;

import dev.dca.reasoning.Effort;
import java.util.Locale;

/**
 * Decides the route and, when it is {@code auto}, the effort of one request, by rules over cheap signals:
 * explicit user settings first, then the question's shape ({@link QuestionSignals}: numbers, operators, word
 * problems, multi-step phrasing, small talk) and the relevance of the best retrieved passage. Every decision
 * carries a one-line reason.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>a route set by the user is taken as is (a retrieving route without a knowledge base is an error);
 *   <li>small talk and creative requests go {@code direct};
 *   <li>arithmetic (an operator between numbers, or numbers with a quantity question) or multi-step phrasing
 *       (prove, puzzle, step by step, why...) needs {@code reasoning};
 *   <li>a knowledge base hit with relevance at least {@link #relevanceThreshold()} needs {@code rag};
 *   <li>both give {@code rag+reasoning}; neither gives {@code direct} — except that a factual question with a
 *       knowledge base but no relevant hit goes {@code rag}, so the model is told to say it does not know
 *       instead of inventing.
 * </ol>
 * Effort {@code auto}: up to two operations LOW, three MEDIUM, four or more HIGH; multi-step phrasing (proofs,
 * puzzles, why) at least MEDIUM.
 */
public final class Router {

    /** Default minimum cosine similarity between question and passage for a hit to count as relevant. */
    public static final double DEFAULT_RELEVANCE_THRESHOLD = 0.35;

    private final double relevanceThreshold;

    public Router() {
        this(DEFAULT_RELEVANCE_THRESHOLD);
    }

    public Router(double relevanceThreshold) {
        if (!(relevanceThreshold >= 0 && relevanceThreshold <= 1)) {
            throw new IllegalArgumentException("relevance threshold must be in [0, 1], got " + relevanceThreshold);
        }
        this.relevanceThreshold = relevanceThreshold;
    }

    public double relevanceThreshold() {
        return relevanceThreshold;
    }

    /**
     * @param explicitRoute the user's route, or null for auto
     * @param effort the user's effort; AUTO lets the router pick
     * @param hasKnowledgeBase whether a knowledge base is open
     * @param bestRelevance relevance of the best hit (NaN when nothing was searched or nothing found)
     */
    public RouteDecision decide(String question, Route explicitRoute, Effort effort, boolean hasKnowledgeBase, double bestRelevance) {
        QuestionSignals s = QuestionSignals.of(question);
        Effort autoEffort = autoEffort(s);
        Effort chosen = effort == null || effort == Effort.AUTO ? autoEffort : effort;
        String effortWhy = effort == null || effort == Effort.AUTO
                ? "effort " + label(chosen) + " (" + effortReason(s) + ")"
                : "effort " + label(chosen) + " (set by the user)";

        if (explicitRoute != null) {
            if (explicitRoute.retrieves() && !hasKnowledgeBase) {
                throw new IllegalArgumentException("route " + explicitRoute.label() + " needs a knowledge base: pass --kb DIR");
            }
            String why = "route " + explicitRoute.label() + " set by the user";
            return new RouteDecision(explicitRoute, chosen, explicitRoute.reasons() ? why + "; " + effortWhy : why, bestRelevance);
        }

        boolean relevant = hasKnowledgeBase && !Double.isNaN(bestRelevance) && bestRelevance >= relevanceThreshold;
        String kbWhy = !hasKnowledgeBase ? "no knowledge base"
                : Double.isNaN(bestRelevance) ? "no passage found"
                : String.format(Locale.ROOT, "best passage relevance %.2f %s %.2f", bestRelevance,
                        relevant ? ">=" : "<", relevanceThreshold);

        if (s.smallTalk() || (s.creative() && !s.arithmetic())) {
            return new RouteDecision(Route.DIRECT, chosen, "direct: " + (s.smallTalk() ? "small talk" : "a creative request")
                    + ", no facts or computation needed", bestRelevance);
        }
        boolean reason = s.arithmetic() || s.multiStep();
        String reasonWhy = s.arithmetic()
                ? s.numbers() + " number" + (s.numbers() == 1 ? "" : "s") + (s.operators() > 0 ? " and " + s.operators() + " operator"
                        + (s.operators() == 1 ? "" : "s") : " in a quantity question")
                : "multi-step phrasing";
        if (reason && relevant) {
            return new RouteDecision(Route.RAG_REASONING, chosen, "rag+reasoning: " + reasonWhy + "; " + kbWhy + "; " + effortWhy, bestRelevance);
        }
        if (reason) {
            return new RouteDecision(Route.REASONING, chosen, "reasoning: " + reasonWhy + "; " + kbWhy + "; " + effortWhy, bestRelevance);
        }
        if (relevant) {
            return new RouteDecision(Route.RAG, chosen, "rag: " + kbWhy, bestRelevance);
        }
        if (hasKnowledgeBase && s.factual()) {
            return new RouteDecision(Route.RAG, chosen, "rag: a factual question and " + kbWhy
                    + ", so the model is told to say the sources do not say", bestRelevance);
        }
        return new RouteDecision(Route.DIRECT, chosen, "direct: no computation and " + kbWhy, bestRelevance);
    }

    static Effort autoEffort(QuestionSignals s) {
        int steps = s.estimatedSteps();
        Effort bySteps = steps <= 2 ? Effort.LOW : steps == 3 ? Effort.MEDIUM : Effort.HIGH;
        // proofs, puzzles and "why" questions need more than one chain even with few numbers
        if (s.multiStep() && bySteps == Effort.LOW) return Effort.MEDIUM;
        return bySteps;
    }

    private static String effortReason(QuestionSignals s) {
        if (s.multiStep() && s.estimatedSteps() <= 2) return "multi-step question";
        int steps = s.estimatedSteps();
        return "about " + steps + " operation" + (steps == 1 ? "" : "s");
    }

    static String label(Effort e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
