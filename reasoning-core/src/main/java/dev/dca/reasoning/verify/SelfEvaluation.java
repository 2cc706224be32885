package dev.dca.reasoning.verify;

import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.policy.Turn;
import java.util.List;
import java.util.Locale;

/**
 * Self-evaluation: the policy itself judges the last step. The score is P(" yes") / (P(" yes") + P(" no")) for
 * the next token after {@code "...Is the last step correct? ... Verdict:"} when the backend can score options
 * ({@link dev.dca.reasoning.policy.Policy#probabilityOfNext}); otherwise the policy writes a short greedy verdict
 * (counted against the budget) read as 0.9 / 0.1; with neither (no budget left, no verdict) there is no opinion.
 */
public final class SelfEvaluation implements StepScorer, Verifier {

    static final String SYSTEM = "You check reasoning steps. Reply with yes or no.";

    @Override
    public double score(StepContext step) {
        if (step.search() == null) return Double.NaN;
        StringBuilder sb = new StringBuilder("Question: ").append(step.question().strip()).append("\n\nReasoning:\n");
        for (String s : step.previousSteps()) sb.append(s).append('\n');
        sb.append(step.step()).append("\n\n");
        sb.append(step.answer() != null ? "Is this reasoning and its answer correct?" : "Is the last step correct?");
        sb.append(" Reply yes or no.");
        List<Turn> conv = List.of(Turn.system(SYSTEM), Turn.user(sb.toString()));
        var policy = step.search().policy();
        PolicyRequest probe = new PolicyRequest(conv, "Verdict:", 1, 1, 0, 1, List.of(), 0, false);
        double yes = safe(() -> policy.probabilityOfNext(probe, " yes"));
        double no = safe(() -> policy.probabilityOfNext(probe, " no"));
        if (!Double.isNaN(yes) && !Double.isNaN(no) && yes + no > 0) return yes / (yes + no);
        List<Continuation> out = step.search().sample(conv, "Verdict:", 1, 3, 3, List.of("\n"), 0, false, true);
        if (out.isEmpty()) return Double.NaN;
        String v = out.get(0).text().strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("yes")) return 0.9;
        if (v.startsWith("no")) return 0.1;
        return Double.NaN;
    }

    @Override
    public double verify(StepContext chain, List<String> peerAnswers) {
        return score(chain);
    }

    @Override
    public String name() {
        return "self-eval";
    }

    private static double safe(java.util.function.DoubleSupplier s) {
        try {
            double v = s.getAsDouble();
            return v >= 0 && v <= 1 ? v : Double.NaN;
        } catch (RuntimeException e) {
            return Double.NaN; // a backend that cannot score falls back to a sampled verdict
        }
    }
}
