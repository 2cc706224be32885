package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.SamplingParams;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generation API over a BF16 KV cache ({@code LoadOptions.kvCache("bf16")}) on stories260K: its keys and values
 * are rounded once, when written, so decoding step by step, forking a prompt into samples and reusing a cached
 * prefix must still give what a full recomputation over the same cache gives; and it stays close to the F32 cache.
 */
class Bf16KvCacheTest {

    private static final SamplingParams WARM = SamplingParams.builder().temperature(0.9).topK(40).topP(0.95).seed(7L).build();

    @Test
    void decoding_forking_and_prefix_reuse_over_a_bf16_cache_equal_full_recomputation() {
        assumeTrue(LlamaDecoder.javaKernels(), "no Java kernels in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        LoadOptions options = LoadOptions.DEFAULT.withMaxBatch(8).withDtype("bf16");
        try (DjlLanguageModel bf16 = (DjlLanguageModel) ModelLoader.load(EngineFixtures.require("models/stories260K/stories260K.bin"), options.withKvCache("bf16"));
             DjlLanguageModel f32 = (DjlLanguageModel) ModelLoader.load(EngineFixtures.require("models/stories260K/stories260K.bin"), options)) {
            int[] p = bf16.tokenizer().encode("Once upon a time, there was a little girl named Lily. She loved to play", true);
            Generation greedy = bf16.generate(GenerationRequest.builder(p).maxTokens(40).logprobs(true).build());
            assertMatchesRecompute(bf16, p, greedy);
            // the F32 cache's greedy tokens, and its logprobs to the rounding (stories260K's logprobs move by < 0.05 here)
            Generation exact = f32.generate(GenerationRequest.builder(p).maxTokens(40).logprobs(true).build());
            assertThat(greedy.tokens()).containsExactly(exact.tokens());
            for (int i = 0; i < exact.tokens().length; i++) {
                assertThat(greedy.logprobs()[i]).as("token %d against the F32 cache", i).isCloseTo(exact.logprobs()[i], org.assertj.core.data.Offset.offset(0.05f));
            }
            List<Generation> samples = bf16.generate(List.of(GenerationRequest.builder(p).n(4).maxTokens(20).sampling(WARM).logprobs(true).build()));
            assertThat(samples.stream().map(g -> Arrays.toString(g.tokens())).distinct().count()).as("samples differ").isGreaterThan(1);
            for (Generation g : samples) assertMatchesRecompute(bf16, p, g);
            long reused = bf16.prefixCacheStats()[1];
            int[] extended = concat(p, greedy.tokens());
            Generation cached = bf16.generate(GenerationRequest.builder(extended).maxTokens(15).logprobs(true).build());
            assertThat(bf16.prefixCacheStats()[1] - reused).as("reused tokens").isGreaterThanOrEqualTo(p.length);
            assertMatchesRecompute(bf16, extended, cached);
        }
    }

    @Test
    void a_bf16_cache_with_weights_held_as_pytorch_tensors_is_a_clear_error() {
        LoadOptions options = LoadOptions.DEFAULT.withKvCache("bf16");
        assertThatThrownBy(() -> DjlLanguageModel.checkKvCache(options, DecodeStep.Hold.F32, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a bf16 KV cache").hasMessageContaining("on the GPU")
                .hasMessageContaining("--kv-cache f32");
        DjlLanguageModel.checkKvCache(options, DecodeStep.Hold.BF16, false);
        DjlLanguageModel.checkKvCache(options, DecodeStep.Hold.JAVA_F32, false);
        DjlLanguageModel.checkKvCache(LoadOptions.DEFAULT, DecodeStep.Hold.F32, true);
        assertThatThrownBy(() -> LoadOptions.DEFAULT.withKvCache("f16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kvCache (--kv-cache) must be f32 or bf16, got f16");
    }

    /**
     * Each generated token's logprob equals log_softmax of a full recomputation of the sequence over the same cache, to
     * one BF16 step: the recomputation sums its products in another order (a prompt's rows go through the eight-input
     * kernels), and a key or value that falls within float rounding of a BF16 midpoint rounds the other way, by 2^-8
     * relative. That moved stories260K's logprobs by up to 5e-4 here; a wrong fork or prefix would move them by tenths.
     */
    private static void assertMatchesRecompute(DjlLanguageModel model, int[] prompt, Generation g) {
        float[][] full = model.logits(concat(prompt, g.tokens()));
        for (int i = 0; i < g.tokens().length; i++) {
            assertThat(g.logprobs()[i]).as("token %d", i).isCloseTo(Sampler.logprob(full[prompt.length - 1 + i], g.tokens()[i]), org.assertj.core.data.Offset.offset(5e-3f));
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
