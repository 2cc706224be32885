package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.policy.Turn;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.ModelLoader;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The policy adapter over the real engine on stories260K. */
class EnginePolicyTest {

    static LanguageModel model;
    static EnginePolicy policy;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(SharedModels.stories260K());
        policy = new EnginePolicy(model);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static PolicyRequest request(String prefix, int n, int maxTokens, double temperature, List<String> stops, long seed) {
        return new PolicyRequest(List.of(Turn.user("Tell me a story about Lily.")), prefix, n, maxTokens, temperature, 1.0,
                stops, seed, true);
    }

    @Test
    void should_render_the_plain_fallback_format_and_count_its_tokens() {
        PolicyRequest r = request("Once upon a time", 1, 8, 0, List.of(), 0);
        int[] expected = model.tokenizer().encode("User: Tell me a story about Lily.\n\nAssistant: Once upon a time", true);
        assertThat(policy.promptTokens(r)).isEqualTo(expected.length);
    }

    @Test
    void should_sample_n_reproducible_continuations_with_logprobs() {
        PolicyRequest r = request("Once upon a time", 3, 8, 1.0, List.of(), 42);
        List<Continuation> a = policy.sample(r);
        List<Continuation> b = policy.sample(r);
        assertThat(a).hasSize(3);
        assertThat(a).extracting(Continuation::text).isEqualTo(b.stream().map(Continuation::text).toList());
        for (Continuation c : a) {
            assertThat(c.tokens()).isBetween(1, 8);
            assertThat(c.tokenLogprobs()).hasSize(c.tokens());
            assertThat(c.logprob()).isLessThanOrEqualTo(0);
        }
        // sampled at temperature 1, three samples do not all agree
        assertThat(a.stream().map(Continuation::text).distinct().count()).isGreaterThan(1);
    }

    @Test
    void greedy_continuation_equals_the_engine_on_the_same_prompt() {
        PolicyRequest r = request("Once upon a time", 1, 16, 0, List.of(), 0);
        Continuation c = policy.sample(r).get(0);
        int[] prompt = policy.promptIds(r);
        var g = model.generate(GenerationRequest.builder(prompt).maxTokens(16).stopTokenIds(model.tokenizer().eosTokenIds()).build());
        assertThat(c.text()).isEqualTo(g.text().contains("\n\nUser:") ? g.text().substring(0, g.text().indexOf("\n\nUser:")) : g.text());
    }

    @Test
    void should_stop_at_a_step_delimiter_and_report_it() {
        PolicyRequest r = request("Once upon a time", 1, 200, 0, List.of("."), 0);
        Continuation c = policy.sample(r).get(0);
        assertThat(c.stoppedBy()).isEqualTo(".");
        assertThat(c.text()).doesNotContain(".");
    }

    @Test
    void probability_of_next_matches_the_greedy_tokens_logprob() {
        PolicyRequest r = request("Once upon a time", 1, 1, 0, List.of(), 0);
        Continuation c = policy.sample(r).get(0);
        double p = policy.probabilityOfNext(r, c.text());
        assertThat(p).isBetween(0.0, 1.0);
        assertThat(p).isCloseTo(Math.exp(c.tokenLogprobs()[0]), within(1e-3));
    }

    @Test
    void should_clamp_max_tokens_to_the_context_left() {
        // a prefix that leaves only a few positions of the 512-token context
        String prefix = "Once upon a time";
        while (policy.promptTokens(request(prefix + " there was a cat.", 1, 1, 0, List.of(), 0)) < model.info().contextLength() - 6) {
            prefix += " there was a cat.";
        }
        PolicyRequest r = request(prefix, 1, 100_000, 0, List.of(), 0);
        Continuation c = policy.sample(r).get(0);
        assertThat(c.tokens()).isPositive();
        assertThat(c.tokens() + policy.promptTokens(r)).isLessThanOrEqualTo(model.info().contextLength());
    }
}
