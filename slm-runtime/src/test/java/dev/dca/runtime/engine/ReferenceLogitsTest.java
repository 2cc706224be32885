package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder against float64 references computed from the same weights: tiny-random-llama in every non-GGUF
 * format, and the tiny-arch models that exercise q/k/v bias (qwen2), q/k norm with head_dim != hidden/heads
 * (qwen3), tied embeddings (all three) and llama3 rope scaling (llama3).
 */
class ReferenceLogitsTest {

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({
        "tiny-random-llama/tiny-random-llama.bin, tiny-random-llama.bin, f32, 1e-4",
        "tiny-random-llama/hf-f32, hf-f32, f32, 1e-4",
        // BF16 weights: auto keeps them as BF16 in the Java kernels (Java 22+; else widened for PyTorch), f32 widens
        // them. Either way the products are of the exact stored values, accumulated in F32, so the F32 tolerance
        // holds: the reference computes from the same BF16 values (activations stay F32 in both)
        "tiny-random-llama/hf-bf16, hf-bf16, auto, 1e-4",
        "tiny-random-llama/hf-bf16, hf-bf16, f32, 1e-4",
    })
    void tiny_random_llama_logits_and_greedy_match_the_reference(String file, String key, String dtype, double tolerance) {
        JsonNode ref = EngineFixtures.json("models/tiny-random-llama/reference-logits.json");
        JsonNode expected = ref.get("files").get(key);
        Path model = EngineFixtures.require("models/" + file);
        try (LanguageModel lm = ModelLoader.load(model, LoadOptions.DEFAULT.withDtype(dtype).withMaxBatch(4))) {
            float[][] logits = lm.logits(EngineFixtures.ints(ref.get("prompt_tokens")));
            assertThat(EngineFixtures.maxRelativeError(logits, expected.get("logits"))).isLessThanOrEqualTo(tolerance);
            int[] greedy = lm.generate(GenerationRequest.builder(EngineFixtures.ints(ref.get("greedy_prompt_tokens"))).maxTokens(32).build()).tokens();
            assertThat(greedy).containsExactly(EngineFixtures.ints(expected.get("greedy_32")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"qwen2", "qwen3", "llama3"})
    void tiny_arch_logits_and_greedy_match_the_reference(String arch) {
        JsonNode ref = EngineFixtures.json("models/tiny-arch/reference.json");
        JsonNode expected = ref.get("models").get(arch);
        try (LanguageModel lm = ModelLoader.load(EngineFixtures.require("models/tiny-arch/" + arch + "-hf"), LoadOptions.DEFAULT.withMaxBatch(4))) {
            float[][] logits = lm.logits(EngineFixtures.ints(ref.get("prompt_tokens")));
            assertThat(EngineFixtures.maxRelativeError(logits, expected.get("logits"))).isLessThanOrEqualTo(1e-4);
            int[] greedy = lm.generate(GenerationRequest.builder(EngineFixtures.ints(expected.get("greedy_prompt_tokens"))).maxTokens(32).build()).tokens();
            assertThat(greedy).containsExactly(EngineFixtures.ints(expected.get("greedy_32")));
        }
    }
}
