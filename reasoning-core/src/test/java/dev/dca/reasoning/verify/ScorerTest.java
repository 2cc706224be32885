package dev.dca.reasoning.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.search.SearchContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScorerTest {

    /** Says "yes" to steps containing "good", through probabilities or, without them, through text. */
    static final class Judge implements Policy {
        final boolean probabilities;
        int samples;

        Judge(boolean probabilities) {
            this.probabilities = probabilities;
        }

        @Override
        public List<Continuation> sample(PolicyRequest r) {
            samples++;
            boolean good = r.conversation().get(1).content().contains("good");
            return List.of(new Continuation(good ? " yes" : " no", 1, null, null, true));
        }

        @Override
        public int promptTokens(PolicyRequest r) {
            return 5;
        }

        @Override
        public double probabilityOfNext(PolicyRequest r, String option) {
            if (!probabilities) return Double.NaN;
            boolean good = r.conversation().get(1).content().contains("good");
            return option.equals(" yes") ? (good ? 0.6 : 0.1) : (good ? 0.2 : 0.3);
        }
    }

    private static StepContext step(String text, Policy p, Budget b) {
        SearchContext ctx = SearchContext.builder().policy(p).question("q").budget(b).build();
        return new StepContext("q", null, List.of("first"), text, null, ctx);
    }

    @Test
    void should_score_self_evaluation_by_the_probability_of_yes() {
        Judge j = new Judge(true);
        assertThat(new SelfEvaluation().score(step("a good step", j, Budget.UNLIMITED))).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(new SelfEvaluation().score(step("a bad step", j, Budget.UNLIMITED))).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(j.samples).isZero();
    }

    @Test
    void should_fall_back_to_a_sampled_verdict_within_the_budget() {
        Judge j = new Judge(false);
        assertThat(new SelfEvaluation().score(step("a good step", j, Budget.UNLIMITED))).isEqualTo(0.9);
        assertThat(new SelfEvaluation().score(step("a bad step", j, Budget.UNLIMITED))).isEqualTo(0.1);
        Budget none = Budget.builder().maxSamples(0).build();
        assertThat(new SelfEvaluation().score(step("a good step", j, none))).isNaN();
        assertThat(new SelfEvaluation().score(new StepContext("q", null, List.of(), "x", null, null))).isNaN();
    }

    @Test
    void should_wrap_a_process_reward_model_and_combine_scorers() {
        ProcessRewardModel prm = (q, steps) -> steps.stream().mapToDouble(s -> s.contains("good") ? 0.9 : 0.2).toArray();
        var scorer = prm.asScorer();
        assertThat(scorer.score(new StepContext("q", null, List.of("bad"), "good", null, null))).isEqualTo(0.9);
        assertThat(scorer.verify(new StepContext("q", null, List.of("bad", "good"), "", "1", null), List.of())).isEqualTo(0.2);
        CompositeScorer c = new CompositeScorer().add(scorer, 3).add(new Calculator(), 1);
        assertThat(c.score(new StepContext("q", null, List.of(), "good: 2 + 2 = 5", null, null)))
                .isCloseTo((3 * 0.9 + 0.0) / 4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.score(new StepContext("q", null, List.of(), "good, no arithmetic", null, null))).isEqualTo(0.9);
        assertThat(new AnswerAgreement().verify(new StepContext("q", null, List.of(), "", "$1,000", null),
                List.of("1000", "1000.0", "7", "x"))).isEqualTo(0.5);
    }
}
