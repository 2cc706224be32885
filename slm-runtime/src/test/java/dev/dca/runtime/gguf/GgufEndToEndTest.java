package dev.dca.runtime.gguf;

import dev.dca.runtime.SharedFixtures;
import static dev.dca.runtime.engine.EngineFixtures.ints;
import static dev.dca.runtime.engine.EngineFixtures.maxRelativeError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.model.ModelFiles;
import dev.dca.runtime.model.Tensor;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GGUF files through the whole engine (ModelLoader → decoder) against float64 references. */
class GgufEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every tensor type, computed in F32 from the dequantized weights. The reference dequantizes with the same
     * formulas in float64, so the only differences are float32 rounding in the forward pass: the 1e-4 normwise
     * bound of the unquantized files holds for the quantized ones too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void tinyRandomLlamaLogitsAndGreedyMatchTheReference(String type) throws IOException {
        Path dir = SharedFixtures.require("models/tiny-random-llama");
        String file = "tiny-random-llama-" + type + ".gguf";
        JsonNode ref = JSON.readTree(dir.resolve("reference-logits.json").toFile());
        JsonNode expected = ref.get("files").get(file);
        try (LanguageModel lm = ModelLoader.load(dir.resolve(file), LoadOptions.DEFAULT.withDtype("f32").withMaxBatch(2))) {
            assertThat(lm.info().format()).isEqualTo("gguf");
            assertThat(lm.info().tensorTypes().keySet()).containsExactlyInAnyOrderElementsOf(strings(expected.get("types")));
            float[][] logits = lm.logits(ints(ref.get("prompt_tokens")));
            assertThat(maxRelativeError(logits, expected.get("logits"))).as(file).isLessThanOrEqualTo(1e-4);
            int[] greedy = lm.generate(GenerationRequest.builder(ints(ref.get("greedy_prompt_tokens"))).maxTokens(32).build()).tokens();
            assertThat(greedy).as(file).containsExactly(ints(expected.get("greedy_32")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3", "llama3"})
    void tinyArchGgufLogitsAndGreedyMatchTheReference(String arch) throws IOException {
        Path dir = SharedFixtures.require("models/tiny-arch");
        JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
        JsonNode expected = ref.get("models").get(arch);
        try (LanguageModel lm = ModelLoader.load(dir.resolve(arch + "-F32.gguf"), LoadOptions.DEFAULT.withMaxBatch(2))) {
            float[][] logits = lm.logits(ints(ref.get("prompt_tokens")));
            assertThat(maxRelativeError(logits, expected.get("logits"))).as(arch).isLessThanOrEqualTo(1e-4);
            int[] greedy = lm.generate(GenerationRequest.builder(ints(expected.get("greedy_prompt_tokens"))).maxTokens(32).build()).tokens();
            assertThat(greedy).as(arch).containsExactly(ints(expected.get("greedy_32")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-F32.gguf", "stories260K-F16.gguf"})
    void stories260KGreedyContinuationsMatchForEveryCase(String file) throws IOException {
        Path dir = SharedFixtures.require("models/stories260K-gguf");
        JsonNode ref = JSON.readTree(dir.resolve("reference/gguf-greedy.json").toFile());
        int steps = ref.get("steps").asInt();
        try (LanguageModel lm = ModelLoader.load(dir.resolve(file), LoadOptions.DEFAULT.withDtype("f32").withMaxBatch(8))) {
            List<GenerationRequest> requests = new ArrayList<>();
            JsonNode cases = ref.get("files").get(file);
            for (JsonNode c : cases) {
                int[] prompt = ints(c.get("prompt_tokens"));
                requests.add(GenerationRequest.builder(prompt).maxTokens(steps - prompt.length).stopTokenIds().build());
            }
            var generations = lm.generate(requests);
            for (int i = 0; i < cases.size(); i++) {
                assertThat(generations.get(i).tokens()).as("%s case %d (%s)", file, i, cases.get(i).get("prompt").asText())
                        .containsExactly(ints(cases.get(i).get("generated_tokens")));
            }
        }
    }

    @Test
    void stories260KTokenizerFromGgufMetadataEncodesThePrompts() throws IOException {
        Path dir = SharedFixtures.require("models/stories260K-gguf");
        JsonNode ref = JSON.readTree(dir.resolve("reference/gguf-greedy.json").toFile());
        try (GgufModelFiles files = GgufModelFiles.open(dir.resolve("stories260K-F32.gguf"))) {
            var tokenizer = files.tokenizer().orElseThrow();
            for (JsonNode c : ref.get("files").get("stories260K-F32.gguf")) {
                assertThat(tokenizer.encode(c.get("prompt").asText(), true)).as(c.get("prompt").asText())
                        .containsExactly(ints(c.get("prompt_tokens")));
            }
        }
    }

    /** llama.cpp's converter copies the llama2.c weights, only renaming and (for q/k) re-laying them out. */
    @Test
    void stories260KF32GgufHoldsTheSameWeightsAsTheLlama2cCheckpoint() {
        Path gguf = SharedFixtures.require("models/stories260K-gguf/stories260K-F32.gguf");
        Path bin = SharedFixtures.require("models/stories260K/stories260K.bin");
        try (ModelFiles a = ModelLoader.open(gguf); ModelFiles b = ModelLoader.open(bin)) {
            // llama.cpp's converter writes output.weight even for a shared classifier: compare it with the embedding
            assertThat(a.config()).usingRecursiveComparison().ignoringFields("tiedEmbeddings", "contextLength").isEqualTo(b.config());
            if (b.config().tiedEmbeddings() && a.tensorNames().contains("lm_head.weight")) {
                assertThat(java.util.Arrays.mismatch(floats(a.tensor("lm_head.weight")), floats(b.tensor("model.embed_tokens.weight"))))
                        .isEqualTo(-1);
            }
            int compared = 0;
            for (String name : b.tensorNames()) {
                if (!a.tensorNames().contains(name)) continue;
                Tensor x = a.tensor(name), y = b.tensor(name);
                assertThat(x.shape()).as(name).containsExactly(y.shape());
                assertThat(java.util.Arrays.mismatch(floats(x), floats(y))).as("%s: first differing index", name).isEqualTo(-1);
                compared++;
            }
            // embeddings, final norm and 9 tensors per layer; a shared classifier appears in neither
            assertThat(compared).isEqualTo(2 + 9 * a.config().numLayers());
        }
    }

    static float[] floats(Tensor t) {
        assertThat(t.dtype()).isEqualTo(Tensor.DType.F32);
        FloatBuffer fb = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
    }

    static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
