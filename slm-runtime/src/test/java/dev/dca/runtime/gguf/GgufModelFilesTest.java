package dev.dca.runtime.gguf;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.runtime.hf.HfModelFiles;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.Tensor;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufModelFilesTest {

    @Test
    void llamaGgufEqualsTheHuggingFaceFolderTensorForTensorAfterUndoingTheInterleavedQk() {
        Path dir = SharedFixtures.require("models/tiny-random-llama");
        try (GgufModelFiles gguf = GgufModelFiles.open(dir.resolve("tiny-random-llama-F32.gguf"));
             HfModelFiles hf = HfModelFiles.open(dir.resolve("hf-f32"))) {
            assertSameConfig(gguf.config(), hf.config());
            assertThat(gguf.tensorNames()).containsExactlyInAnyOrderElementsOf(hf.tensorNames());
            for (String name : hf.tensorNames()) assertSameValues(name, gguf.tensor(name), hf.tensor(name));
            assertThat(gguf.storedTensorTypes()).isEqualTo(Map.of("F32", gguf.tensorNames().size()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3", "llama3"})
    void tinyArchGgufEqualsItsHuggingFaceFolder(String arch) {
        Path dir = SharedFixtures.require("models/tiny-arch");
        try (GgufModelFiles gguf = GgufModelFiles.open(dir.resolve(arch + "-F32.gguf"));
             HfModelFiles hf = HfModelFiles.open(dir.resolve(arch + "-hf"))) {
            assertSameConfig(gguf.config(), hf.config());
            assertThat(gguf.config().tiedEmbeddings()).isTrue();
            for (String name : hf.tensorNames()) assertSameValues(name, gguf.tensor(name), hf.tensor(name));
            if (arch.equals("llama3")) {
                // llama.cpp carries llama3 rope scaling as per-frequency divisors instead of rope_scaling keys
                assertThat(gguf.tensorNames()).contains("rope_freqs.weight");
                assertThat(gguf.tensor("rope_freqs.weight").shape()).containsExactly(gguf.config().rotaryDim() / 2);
            }
        }
    }

    @Test
    void quantizedTensorsComeOutAsF32AndTypesAreCounted() {
        Path dir = SharedFixtures.require("models/tiny-random-llama");
        try (GgufModelFiles gguf = GgufModelFiles.open(dir.resolve("tiny-random-llama-Q4_K.gguf"))) {
            Tensor q = gguf.tensor("model.layers.0.self_attn.q_proj.weight");
            assertThat(q.dtype()).isEqualTo(Tensor.DType.F32);
            assertThat(q.shape()).containsExactly(256, 256);
            assertThat(q.data().remaining()).isEqualTo(256 * 256 * 4);
            Map<String, Integer> types = gguf.storedTensorTypes();
            assertThat(types).containsOnlyKeys("F32", "Q4_K");
            assertThat(types.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(gguf.tensorNames().size());
        }
    }

    @Test
    void bf16StaysBf16() {
        Path dir = SharedFixtures.require("models/tiny-random-llama");
        try (GgufModelFiles gguf = GgufModelFiles.open(dir.resolve("tiny-random-llama-BF16.gguf"))) {
            assertThat(gguf.tensor("model.layers.1.mlp.up_proj.weight").dtype()).isEqualTo(Tensor.DType.BF16);
            assertThat(gguf.tensor("model.layers.1.self_attn.k_proj.weight").dtype()).isEqualTo(Tensor.DType.BF16);
        }
    }

    static void assertSameConfig(ModelConfig a, ModelConfig b) {
        assertThat(a.hiddenSize()).isEqualTo(b.hiddenSize());
        assertThat(a.intermediateSize()).isEqualTo(b.intermediateSize());
        assertThat(a.numLayers()).isEqualTo(b.numLayers());
        assertThat(a.numHeads()).isEqualTo(b.numHeads());
        assertThat(a.numKvHeads()).isEqualTo(b.numKvHeads());
        assertThat(a.headDim()).isEqualTo(b.headDim());
        assertThat(a.vocabSize()).isEqualTo(b.vocabSize());
        assertThat(a.rmsNormEps()).isEqualTo(b.rmsNormEps());
        assertThat(a.ropeTheta()).isEqualTo(b.ropeTheta());
        assertThat(a.rotaryDim()).isEqualTo(b.rotaryDim());
        assertThat(a.attentionBias()).isEqualTo(b.attentionBias());
        assertThat(a.qkNorm()).isEqualTo(b.qkNorm());
        assertThat(a.tiedEmbeddings()).isEqualTo(b.tiedEmbeddings());
    }

    static void assertSameValues(String name, Tensor a, Tensor b) {
        assertThat(a.shape()).as(name).containsExactly(b.shape());
        assertThat(a.dtype()).as(name).isEqualTo(b.dtype());
        float[] x = floats(a), y = floats(b);
        // Arrays.mismatch: AssertJ's element-wise containsExactly is far too slow for 100k-element tensors
        assertThat(java.util.Arrays.mismatch(x, y)).as("%s: first differing index", name).isEqualTo(-1);
    }

    static float[] floats(Tensor t) {
        assertThat(t.dtype()).isEqualTo(Tensor.DType.F32);
        FloatBuffer fb = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
    }
}
