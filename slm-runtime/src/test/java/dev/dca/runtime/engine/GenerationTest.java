package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.ContextLengthExceededException;
import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generation API on stories260K (a real, tokenized model): the KV cache, batching, forking and the prefix cache
 * must give what full recomputation gives; sampling is reproducible; stops and streaming behave.
 */
class GenerationTest {

    private static DjlLanguageModel model;
    private static final SamplingParams WARM = SamplingParams.builder().temperature(0.9).topK(40).topP(0.95).seed(7L).build();

    @BeforeAll
    static void load() {
        model = (DjlLanguageModel) ModelLoader.load(EngineFixtures.require("models/stories260K/stories260K.bin"), LoadOptions.DEFAULT.withMaxBatch(8));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static int[] prompt(String text) {
        return model.tokenizer().encode(text, true);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Asserts each generated token's logprob equals log_softmax of a full recomputation of the sequence. */
    private static void assertMatchesRecompute(int[] prompt, Generation g) {
        float[][] full = model.logits(concat(prompt, g.tokens()));
        for (int i = 0; i < g.tokens().length; i++) {
            float expected = Sampler.logprob(full[prompt.length - 1 + i], g.tokens()[i]);
            assertThat(g.logprobs()[i]).as("token %d", i).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void incremental_decoding_with_the_kv_cache_equals_full_recomputation() {
        int[] p = prompt("Once upon a time");
        Generation g = model.generate(GenerationRequest.builder(p).maxTokens(40).logprobs(true).build());
        assertThat(g.tokens()).hasSize(40);
        float[][] full = model.logits(concat(p, g.tokens()));
        for (int i = 0; i < g.tokens().length; i++) {
            assertThat(Sampler.argmax(full[p.length - 1 + i])).as("greedy token %d", i).isEqualTo(g.tokens()[i]);
        }
        assertMatchesRecompute(p, g);
    }

    @Test
    void a_batch_of_different_lengths_equals_running_them_one_by_one() {
        model.setPrefixCacheEnabled(false);
        try {
            List<GenerationRequest> requests = List.of(
                    GenerationRequest.builder(prompt("The cat")).maxTokens(30).logprobs(true).build(),
                    GenerationRequest.builder(prompt("Lily and Ben went to the park. They saw")).maxTokens(12).logprobs(true).build(),
                    GenerationRequest.builder(prompt("Tom")).maxTokens(25).sampling(WARM).logprobs(true).build());
            List<Generation> batched = model.generate(requests);
            for (int i = 0; i < requests.size(); i++) {
                Generation alone = model.generate(requests.get(i));
                assertThat(batched.get(i).tokens()).as("request %d", i).containsExactly(alone.tokens());
                for (int t = 0; t < alone.tokens().length; t++) {
                    assertThat(batched.get(i).logprobs()[t]).isCloseTo(alone.logprobs()[t], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        } finally {
            model.setPrefixCacheEnabled(true);
        }
    }

    @Test
    void forked_samples_equal_recomputing_the_shared_prefix() {
        int[] p = prompt("The little dog");
        List<Generation> samples = model.generate(List.of(
                GenerationRequest.builder(p).n(4).maxTokens(20).sampling(WARM).logprobs(true).build()));
        assertThat(samples).hasSize(4);
        assertThat(samples.stream().map(g -> Arrays.toString(g.tokens())).distinct().count()).as("samples differ").isGreaterThan(1);
        for (Generation g : samples) assertMatchesRecompute(p, g);
    }

    @Test
    void the_same_seed_gives_the_same_output_and_another_seed_another() {
        GenerationRequest r = GenerationRequest.builder(prompt("Once")).n(2).maxTokens(30).sampling(WARM).build();
        List<Generation> a = model.generate(List.of(r));
        List<Generation> b = model.generate(List.of(r));
        for (int i = 0; i < a.size(); i++) assertThat(a.get(i).tokens()).containsExactly(b.get(i).tokens());
        List<Generation> c = model.generate(List.of(GenerationRequest.builder(prompt("Once")).n(2).maxTokens(30)
                .sampling(WARM.withSeed(8L)).build()));
        assertThat(Arrays.equals(a.get(0).tokens(), c.get(0).tokens()) && Arrays.equals(a.get(1).tokens(), c.get(1).tokens())).isFalse();
    }

    @Test
    void a_prompt_that_extends_a_cached_one_reuses_its_prefix_and_gives_the_same_result() {
        int[] first = prompt("Once upon a time, there was a little girl named Lily. She loved to play");
        Generation g1 = model.generate(GenerationRequest.builder(first).maxTokens(10).build());
        long[] before = model.prefixCacheStats();
        int[] extended = concat(first, g1.tokens());
        Generation cached = model.generate(GenerationRequest.builder(extended).maxTokens(15).logprobs(true).build());
        long[] after = model.prefixCacheStats();
        assertThat(after[0]).isGreaterThan(before[0]);
        assertThat(after[1] - before[1]).as("reused tokens").isGreaterThanOrEqualTo(first.length);
        assertMatchesRecompute(extended, cached);
    }

    @Test
    void prompt_plus_max_tokens_beyond_the_context_is_a_clear_error() {
        int[] p = new int[500];
        Arrays.fill(p, 300);
        p[0] = 1;
        assertThatThrownBy(() -> model.generate(GenerationRequest.builder(p).maxTokens(20).build()))
                .isInstanceOf(ContextLengthExceededException.class)
                .hasMessageContaining("500").hasMessageContaining("512");
    }

    @Test
    void a_stop_string_cuts_the_text_and_streaming_deltas_add_up_to_it() {
        StringBuilder streamed = new StringBuilder();
        List<Integer> tokens = new ArrayList<>();
        Generation g = model.generate(List.of(GenerationRequest.builder(prompt("Once upon a time")).maxTokens(100)
                .stopStrings(List.of("Lily")).build()), (req, sample, token, delta) -> {
                    tokens.add(token);
                    streamed.append(delta);
                }).get(0);
        assertThat(g.finishReason()).isEqualTo(Generation.FinishReason.STOP_STRING);
        assertThat(g.text()).isEqualTo(", there was a little girl named ").doesNotContain("Lily");
        assertThat(streamed.toString()).isEqualTo(g.text());
        assertThat(tokens).hasSize(g.tokens().length);
    }

    @Test
    void a_stop_token_ends_generation_and_is_left_out() {
        int[] p = prompt("Once upon a time");
        Generation free = model.generate(GenerationRequest.builder(p).maxTokens(10).build());
        int stop = free.tokens()[3];
        Generation g = model.generate(GenerationRequest.builder(p).maxTokens(10).stopTokenIds(stop).build());
        assertThat(g.finishReason()).isEqualTo(Generation.FinishReason.STOP_TOKEN);
        assertThat(g.tokens()).containsExactly(Arrays.copyOf(free.tokens(), 3));
    }

    @Test
    void a_listener_can_cancel_every_sample() {
        int[] seen = {0};
        List<Generation> out = model.generate(List.of(GenerationRequest.builder(prompt("Once")).n(3).maxTokens(50).sampling(WARM).build()),
                new GenerationListener() {
                    @Override
                    public void onToken(int r, int s, int token, String delta) {
                        seen[0]++;
                    }

                    @Override
                    public boolean cancelled() {
                        return seen[0] >= 9;
                    }
                });
        assertThat(out).allSatisfy(g -> {
            assertThat(g.finishReason()).isEqualTo(Generation.FinishReason.CANCELLED);
            assertThat(g.tokens()).hasSize(3);
        });
    }

    @Test
    void more_samples_than_max_batch_are_decoded_in_groups() {
        List<Generation> out = model.generate(List.of(GenerationRequest.builder(prompt("Once")).n(11).maxTokens(5).sampling(WARM).build()));
        assertThat(out).hasSize(11);
        for (int i = 0; i < 11; i++) assertThat(out.get(i).sampleIndex()).isEqualTo(i);
    }
}
