package dev.dca.reasoning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.reasoning.search.BeamSearch;
import dev.dca.reasoning.search.BestOfN;
import dev.dca.reasoning.search.ChainOfThought;
import dev.dca.reasoning.search.Direct;
import dev.dca.reasoning.search.Mcts;
import dev.dca.reasoning.search.ReasoningStrategy;
import dev.dca.reasoning.search.Reflect;
import dev.dca.reasoning.search.SelfConsistency;
import dev.dca.reasoning.verify.Calculator;
import dev.dca.reasoning.verify.SelfEvaluation;
import dev.dca.reasoning.verify.StepScorer;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class StrategyTest {

    static double accuracy(Supplier<ReasoningStrategy> strategy, StepScorer scorer, double p, int steps, Budget budget,
            int problems) {
        int right = 0;
        for (int i = 0; i < problems; i++) {
            int gold = 10 + i;
            ReasoningResult r = Reasoner.builder().policy(new ScriptedPolicy(p, steps)).strategy(strategy.get())
                    .scorer(scorer).verifier(null).budget(budget).seed(1000L + i).build()
                    .solve(ScriptedPolicy.question(i, gold));
            if (String.valueOf(gold).equals(r.answer())) right++;
        }
        return (double) right / problems;
    }

    static double binomialMajority(int n, double q) {
        double s = 0;
        for (int k = n / 2 + 1; k <= n; k++) s += choose(n, k) * Math.pow(q, k) * Math.pow(1 - q, n - k);
        return s;
    }

    static double choose(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
        return c;
    }

    @Test
    void should_follow_the_binomial_majority_curve_with_self_consistency() {
        double p = 0.85;
        int steps = 3;
        double q = Math.pow(p, steps); // a chain is right when all its steps are: 0.614
        int problems = 400;
        for (int n : new int[] {1, 3, 5, 9}) {
            double expected = binomialMajority(n, q);
            double measured = accuracy(() -> new SelfConsistency(n), null, p, steps, Budget.UNLIMITED, problems);
            double tolerance = 3.5 * Math.sqrt(expected * (1 - expected) / problems) + 0.01;
            assertThat(measured).as("SC@%d accuracy (binomial majority %.3f)", n, expected)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
        }
        assertThat(binomialMajority(9, q)).isGreaterThan(binomialMajority(1, q) + 0.1);
    }

    @Test
    void should_stop_self_consistency_early_once_the_leader_cannot_be_overtaken() {
        ReasoningResult r = Reasoner.builder().policy(new ScriptedPolicy(1.0, 2)).strategy(new SelfConsistency(9, 1))
                .budget(Budget.UNLIMITED).seed(3).build().solve(ScriptedPolicy.question(1, 7));
        assertThat(r.answer()).isEqualTo("7");
        // 5 agreeing votes out of 9: the other 4 cannot change it (chains are written step-wise with the calculator)
        assertThat(r.stats().votes().values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(5.0);
        ReasoningResult whole = Reasoner.builder().policy(new ScriptedPolicy(1.0, 2)).strategy(new SelfConsistency(9, 1))
                .calculator(null, false).budget(Budget.UNLIMITED).seed(3).build().solve(ScriptedPolicy.question(1, 7));
        assertThat(whole.stats().samples()).isEqualTo(5); // whole chains: one sample each
        assertThat(r.confidence()).isEqualTo(1.0);
    }

    @Test
    void should_beat_self_consistency_with_beam_and_mcts_at_equal_tokens_when_the_scorer_is_informative() {
        double p = 0.8;
        int steps = 4;
        Budget budget = Budget.builder().maxReasoningTokens(160).build();
        int problems = 120;
        StepScorer oracle = new NoisyOracle(0.15);
        double sc = accuracy(() -> new SelfConsistency(16, 4), null, p, steps, budget, problems);
        double beam = accuracy(() -> new BeamSearch(2, 3, 8), oracle, p, steps, budget, problems);
        double mcts = accuracy(() -> new Mcts(200, 3, 8, 1.0), oracle, p, steps, budget, problems);
        System.out.printf("equal tokens (160): SC %.2f, beam %.2f, mcts %.2f%n", sc, beam, mcts);
        assertThat(beam).as("beam vs SC %.2f", sc).isGreaterThan(sc + 0.2);
        assertThat(mcts).as("mcts vs SC %.2f", sc).isGreaterThan(sc + 0.2);
    }

    static List<Supplier<ReasoningStrategy>> allStrategies() {
        return List.of(Direct::new, ChainOfThought::new, () -> new SelfConsistency(6, 2), () -> new BestOfN(5),
                () -> new BeamSearch(3, 3, 10), () -> new Mcts(40, 3, 10, 1.5), () -> new Reflect(3));
    }

    @Test
    void should_respect_every_cap_for_every_strategy_over_random_budgets() {
        Random rnd = new Random(42);
        for (Supplier<ReasoningStrategy> s : allStrategies()) {
            for (int trial = 0; trial < 40; trial++) {
                Budget b = new Budget(rnd.nextInt(120), rnd.nextInt(30), rnd.nextInt(30), Duration.ofMinutes(1));
                ScriptedPolicy policy = new ScriptedPolicy(0.8, 4);
                StepScorer scorer = switch (trial % 3) {
                    case 0 -> null;
                    case 1 -> new NoisyOracle(0.2);
                    default -> new SelfEvaluation(); // falls back to sampled verdicts, which the budget must cover
                };
                ReasoningResult r = Reasoner.builder().policy(policy).strategy(s.get()).scorer(scorer)
                        .calculator(new Calculator(), trial % 2 == 0).budget(b).seed(trial).build()
                        .solve(ScriptedPolicy.question(trial, 5 + trial));
                String what = r.strategy() + " under " + b;
                assertThat(policy.generatedTokens).as(what).isLessThanOrEqualTo(b.maxReasoningTokens());
                assertThat(policy.generatedSamples).as(what).isLessThanOrEqualTo(b.maxSamples());
                assertThat(r.usage().completionTokens()).as(what).isEqualTo(policy.generatedTokens);
                assertThat(r.usage().reasoningTokens()).as(what).isLessThanOrEqualTo(r.usage().completionTokens());
                assertThat(r.stats().samples()).as(what).isEqualTo(policy.generatedSamples);
                assertThat(r.stats().nodes()).as(what).isLessThanOrEqualTo(b.maxNodes());
                assertThat(r.trace().size() - 1).as(what).isEqualTo(r.stats().nodes());
            }
        }
    }

    @Test
    void should_return_the_best_answer_so_far_when_the_wall_time_runs_out() {
        for (Supplier<ReasoningStrategy> s : allStrategies()) {
            // 40 steps of 25 ms calls cannot finish in 300 ms
            ScriptedPolicy policy = new ScriptedPolicy(0.9, 40, 25);
            Budget b = Budget.builder().maxWallTime(Duration.ofMillis(300)).build();
            long t0 = System.nanoTime();
            ReasoningResult r = Reasoner.builder().policy(policy).strategy(s.get()).scorer(new NoisyOracle(0.1))
                    .budget(b).seed(1).build().solve(ScriptedPolicy.question(1, 3));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as(r.strategy()).isLessThan(300 + 250);
            assertThat(r.answered()).as(r.strategy() + " " + r.summary()).isTrue();
        }
    }

    @Test
    void should_give_identical_results_for_identical_seeds() {
        for (Supplier<ReasoningStrategy> s : allStrategies()) {
            ReasoningResult a = solve(s.get(), 11);
            ReasoningResult b = solve(s.get(), 11);
            assertThat(b.answer()).isEqualTo(a.answer());
            assertThat(b.usage()).isEqualTo(a.usage());
            assertThat(jsonl(b)).as(a.strategy()).isEqualTo(jsonl(a));
        }
        assertThat(jsonl(solve(new SelfConsistency(6), 11))).isNotEqualTo(jsonl(solve(new SelfConsistency(6), 12)));
    }

    private static ReasoningResult solve(ReasoningStrategy s, long seed) {
        return Reasoner.builder().policy(new ScriptedPolicy(0.7, 4)).strategy(s).scorer(new NoisyOracle(0.2))
                .budget(Budget.builder().maxReasoningTokens(300).build()).seed(seed).build()
                .solve(ScriptedPolicy.question(2, 9));
    }

    private static String jsonl(ReasoningResult r) {
        StringWriter w = new StringWriter();
        r.trace().writeJsonl(w, "9");
        return w.toString();
    }

    @Test
    void should_keep_the_scratchpad_out_of_the_visible_answer_and_summary() {
        for (Supplier<ReasoningStrategy> s : allStrategies()) {
            ReasoningResult r = solve(s.get(), 5);
            assertThat(r.answer()).as(r.strategy()).doesNotContain("step").doesNotContain("\n");
            assertThat(r.summary()).doesNotContain("step 1");
            assertThat(r.toString()).doesNotContain("step 1");
            if (!r.strategy().equals("direct")) assertThat(r.reasoning()).as(r.strategy()).contains("step 1");
        }
    }

    @Test
    void should_spend_more_on_high_effort_than_on_low() {
        ReasoningResult low = Reasoner.builder().policy(new ScriptedPolicy(0.8, 4)).effort(Effort.LOW).seed(1).build()
                .solve(ScriptedPolicy.question(1, 4));
        ReasoningResult high = Reasoner.builder().policy(new ScriptedPolicy(0.8, 4)).effort(Effort.HIGH).seed(1).build()
                .solve(ScriptedPolicy.question(1, 4));
        assertThat(low.strategy()).isEqualTo("cot");
        assertThat(high.strategy()).startsWith("beam");
        assertThat(high.usage().reasoningTokens()).isGreaterThan(low.usage().reasoningTokens());
    }
}
