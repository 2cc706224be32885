package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.Effort;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.ReasoningResult;
import dev.dca.reasoning.Strategies;
import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.search.SearchSettings;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reasoning core on the real engine (stories260K, a toy story model: it cannot do arithmetic, so this checks
 * that every strategy runs end to end and keeps its budget, not accuracy).
 */
class ReasoningEndToEndTest {

    static LanguageModel model;
    static EnginePolicy engine;
    /** Short steps and chains keep this test quick on a loaded CI machine. */
    static final SearchSettings SHORT = SearchSettings.DEFAULT.withStepMaxTokens(8).withChainMaxTokens(32);

    @BeforeAll
    static void load() {
        model = ModelLoader.load(SharedModels.stories260K(), LoadOptions.DEFAULT.withDevice("cpu"));
        engine = new EnginePolicy(model);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    /** Counts what the engine really generated, independently of the reasoning core's meter. */
    static final class Counting implements Policy {
        final Policy inner;
        int tokens;
        int samples;
        int maxTokensAsked;
        long longestCallNanos;

        Counting(Policy inner) {
            this.inner = inner;
        }

        @Override
        public List<Continuation> sample(PolicyRequest r) {
            long t0 = System.nanoTime();
            List<Continuation> out = inner.sample(r);
            longestCallNanos = Math.max(longestCallNanos, System.nanoTime() - t0);
            maxTokensAsked = Math.max(maxTokensAsked, r.maxTokens());
            for (Continuation c : out) {
                assertThat(c.tokens()).isLessThanOrEqualTo(r.maxTokens());
                tokens += c.tokens();
            }
            samples += out.size();
            return out;
        }

        @Override
        public int promptTokens(PolicyRequest r) {
            return inner.promptTokens(r);
        }

        @Override
        public boolean hasLogprobs() {
            return inner.hasLogprobs();
        }

        @Override
        public double probabilityOfNext(PolicyRequest r, String option) {
            return inner.probabilityOfNext(r, option);
        }
    }

    @Test
    void should_run_every_strategy_within_its_budget() {
        Budget budget = new Budget(48, 12, 12, Duration.ofSeconds(60));
        for (String name : Strategies.NAMES) {
            Counting policy = new Counting(engine);
            ReasoningResult r = Reasoner.builder().policy(policy).strategy(Strategies.byName(name)).budget(budget)
                    .settings(SHORT).seed(7).build().solve("Lily had 3 apples and got 2 more. How many apples does she have?");
            assertThat(policy.tokens).as(name).isLessThanOrEqualTo(budget.maxReasoningTokens()).isPositive();
            assertThat(policy.samples).as(name).isLessThanOrEqualTo(budget.maxSamples());
            assertThat(r.usage().completionTokens()).as(name).isEqualTo(policy.tokens);
            assertThat(r.stats().samples()).as(name).isEqualTo(policy.samples);
            assertThat(r.stats().nodes()).as(name).isLessThanOrEqualTo(budget.maxNodes());
            assertThat(r.usage().promptTokens()).as(name).isPositive();
            assertThat(r.summary()).as(name).isNotBlank();
            if (r.answer() != null) assertThat(r.answer()).as(name).doesNotContain("\n");
            StringWriter w = new StringWriter();
            r.trace().writeJsonl(w, "5");
            assertThat(w.toString().lines().count()).as(name).isGreaterThanOrEqualTo(r.stats().nodes() + 1);
        }
    }

    @Test
    void should_spend_more_reasoning_tokens_at_high_effort_than_at_low() {
        String q = "Tom has 4 boxes of 6 pens. How many pens does he have?";
        ReasoningResult low = Reasoner.builder().policy(engine).effort(Effort.LOW).settings(SHORT).seed(1).build().solve(q);
        ReasoningResult high = Reasoner.builder().policy(engine).effort(Effort.HIGH).settings(SHORT)
                .budget(Effort.HIGH.defaultBudget().withMaxReasoningTokens(160)).seed(1).build().solve(q);
        assertThat(low.strategy()).isEqualTo("cot");
        assertThat(high.strategy()).startsWith("beam");
        assertThat(low.usage().reasoningTokens()).isLessThanOrEqualTo(Effort.LOW.defaultBudget().maxReasoningTokens());
        assertThat(high.usage().reasoningTokens()).isLessThanOrEqualTo(160);
        assertThat(high.usage().reasoningTokens()).isGreaterThan(low.usage().reasoningTokens());
    }

    @Test
    void should_stop_at_the_wall_time_cap() {
        Budget budget = Budget.builder().maxWallTime(Duration.ofMillis(2000)).build();
        Counting policy = new Counting(engine);
        long t0 = System.nanoTime();
        ReasoningResult r = Reasoner.builder().policy(policy).strategy(Strategies.byName("mcts")).budget(budget).seed(3)
                .settings(SHORT).build().solve("What is 2 + 2?");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // the cap is checked before each call and each call's tokens are cut to the measured speed, so the only
        // overrun is the last call itself (its prefill, or a busy machine slowing it)
        assertThat(ms).isLessThan(2000 + policy.longestCallNanos / 1_000_000 + 1000);
        if (r.stats().stopReason() != null) assertThat(r.stats().stopReason()).contains("wall time");
    }
}
