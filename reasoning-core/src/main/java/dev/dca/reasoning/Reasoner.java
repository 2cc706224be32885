package dev.dca.reasoning;

import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.search.BeamSearch;
import dev.dca.reasoning.search.ChainOfThought;
import dev.dca.reasoning.search.Outcome;
import dev.dca.reasoning.search.ReasoningStrategy;
import dev.dca.reasoning.search.SearchContext;
import dev.dca.reasoning.search.SearchSettings;
import dev.dca.reasoning.search.SelfConsistency;
import dev.dca.reasoning.trace.ReasoningTrace;
import dev.dca.reasoning.verify.AnswerAgreement;
import dev.dca.reasoning.verify.Calculator;
import dev.dca.reasoning.verify.NumberGrounding;
import dev.dca.reasoning.verify.StepScorer;
import dev.dca.reasoning.verify.Verifier;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The reasoning facade the router calls:
 *
 * <pre>{@code
 * Reasoner r = Reasoner.builder().policy(policy).effort(Effort.HIGH).budget(budget).seed(7).build();
 * ReasoningResult res = r.solve(question, retrievedContext);
 * }</pre>
 *
 * The effort picks the strategy, scorers and default budget (see {@link Effort}); {@link Builder#strategy},
 * {@link Builder#scorer}, {@link Builder#verifier} and {@link Builder#budget} override its parts. A reasoner is
 * immutable and may be shared; each {@code solve} is independent and, for the same seed, reproducible (unless the
 * wall-time cap is what stops it).
 */
public final class Reasoner {

    private final Policy policy;
    private final Effort effort;
    private final Budget budget;
    private final ReasoningStrategy strategy;
    private final StepScorer scorer;
    private final Verifier verifier;
    private final Calculator calculator;
    private final boolean correctArithmetic;
    private final SearchSettings settings;
    private final long seed;

    private Reasoner(Builder b) {
        this.policy = Objects.requireNonNull(b.policy, "policy");
        this.effort = b.effort == Effort.AUTO ? Effort.MEDIUM : b.effort;
        this.budget = b.budget != null ? b.budget : effort.defaultBudget();
        this.strategy = b.strategy != null ? b.strategy : strategyFor(effort);
        boolean high = effort == Effort.HIGH;
        // the calculator is a tool, not search: every effort uses it, so a one-chain answer is not wrong on 17+25
        this.calculator = b.calculatorSet ? b.calculator : new Calculator();
        this.correctArithmetic = !b.calculatorSet || b.calculator != null && b.correctArithmetic;
        // grounding, not self-evaluation, by default: measured on the bundled model, a 4.7M model's "is this step
        // correct?" is noise that steers the beam away from better chains (docs/BENCHMARKS.md, foundry)
        this.scorer = b.scorerSet ? b.scorer : high ? new NumberGrounding() : null;
        this.verifier = b.verifierSet ? b.verifier : effort == Effort.MEDIUM ? new AnswerAgreement() : null;
        this.settings = b.settings;
        this.seed = b.seed;
    }

    static ReasoningStrategy strategyFor(Effort e) {
        return switch (e) {
            case LOW -> new ChainOfThought();
            case MEDIUM, AUTO -> new SelfConsistency(5);
            case HIGH -> new BeamSearch(3, 4, 16);
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    public Effort effort() { return effort; }
    public Budget budget() { return budget; }
    public ReasoningStrategy strategy() { return strategy; }

    public ReasoningResult solve(String question) {
        return solve(question, null);
    }

    /**
     * Reasons about {@code question} (with optional retrieved {@code context}) within the budget.
     *
     * @throws IllegalArgumentException for a blank question
     */
    public ReasoningResult solve(String question, String context) {
        if (question == null || question.isBlank()) throw new IllegalArgumentException("the question is empty");
        SearchContext ctx = SearchContext.builder()
                .policy(policy).question(question).context(context).budget(budget).settings(settings)
                .scorer(scorer).verifier(verifier).calculator(calculator, correctArithmetic).seed(seed)
                .build();
        Outcome o = strategy.search(ctx);
        var meter = ctx.meter();
        Duration wall = Duration.ofNanos(meter.elapsedNanos());
        SearchStats stats = new SearchStats(meter.nodes(), meter.samples(), meter.calls(), o.votes(), o.bestScore(),
                wall, Duration.ofNanos(meter.policyNanos()), meter.stopReason());
        Usage usage = new Usage(meter.promptTokens(), meter.tokens(), meter.reasoningTokens());
        String reasoning = o.chosen() == null ? "" : ReasoningPrompt.scratchpad(o.chosen().prefix());
        String answer = o.answer() == null ? null : o.answer().lines().findFirst().orElse("").strip();
        double confidence = Math.max(0, Math.min(1, o.confidence()));
        return new ReasoningResult(answer, strategy.describe(), summary(answer, stats, usage, confidence), usage, stats,
                confidence, reasoning, new ReasoningTrace(question, ctx.nodes(), o.chosen()));
    }

    /** One paragraph about how the answer was reached; it never quotes the scratchpad. */
    private String summary(String answer, SearchStats s, Usage u, double confidence) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Reasoned with %s: %d model call%s, %d sampled continuation%s, %d node%s, "
                        + "%d reasoning tokens in %.1f s.", strategy.describe(), s.calls(), s.calls() == 1 ? "" : "s",
                s.samples(), s.samples() == 1 ? "" : "s", s.nodes(), s.nodes() == 1 ? "" : "s", u.reasoningTokens(),
                s.wallTime().toMillis() / 1000.0));
        if (s.votes().size() > 1) {
            double total = s.votes().values().stream().mapToDouble(Double::doubleValue).sum();
            sb.append(String.format(Locale.ROOT, " The candidates reached %d different answers; the chosen one "
                    + "carried %.0f%% of the weight.", s.votes().size(), total > 0 ? 100 * s.votes().getOrDefault(
                            dev.dca.reasoning.eval.AnswerNormalizer.normalize(answer), 0.0) / total : 0));
        } else if (s.votes().size() == 1 && s.samples() > 1) {
            sb.append(" All candidates that answered agreed.");
        }
        if (!Double.isNaN(s.bestScore())) sb.append(String.format(Locale.ROOT, " Best score %.2f.", s.bestScore()));
        if (s.stopReason() != null) sb.append(" Stopped early: ").append(s.stopReason()).append('.');
        sb.append(answer == null ? " No answer was found within the budget."
                : String.format(Locale.ROOT, " Confidence %.2f.", confidence));
        return sb.toString();
    }

    public static final class Builder {
        private Policy policy;
        private Effort effort = Effort.MEDIUM;
        private Budget budget;
        private ReasoningStrategy strategy;
        private StepScorer scorer;
        private boolean scorerSet;
        private Verifier verifier;
        private boolean verifierSet;
        private Calculator calculator;
        private boolean correctArithmetic = true;
        private boolean calculatorSet;
        private SearchSettings settings = SearchSettings.DEFAULT;
        private long seed = 0;

        public Builder policy(Policy v) { policy = v; return this; }
        /** Default MEDIUM; AUTO is normally resolved by the router, and means MEDIUM here. */
        public Builder effort(Effort v) { effort = Objects.requireNonNull(v, "effort"); return this; }
        /** Replaces the effort's default budget. */
        public Builder budget(Budget v) { budget = v; return this; }
        /** Replaces the effort's strategy. */
        public Builder strategy(ReasoningStrategy v) { strategy = v; return this; }
        /** Step scorer for step-level searches (null: none). */
        public Builder scorer(StepScorer v) { scorer = v; scorerSet = true; return this; }
        /** Verifier of complete chains (null: none). */
        public Builder verifier(Verifier v) { verifier = v; verifierSet = true; return this; }
        /** The calculator tool ({@code null}: none) and whether it replaces wrong results; default: on, correcting, at every effort. */
        public Builder calculator(Calculator v, boolean correct) { calculator = v; correctArithmetic = correct; calculatorSet = true; return this; }
        public Builder settings(SearchSettings v) { settings = Objects.requireNonNull(v); return this; }
        public Builder seed(long v) { seed = v; return this; }

        public Reasoner build() {
            return new Reasoner(this);
        }
    }
}
