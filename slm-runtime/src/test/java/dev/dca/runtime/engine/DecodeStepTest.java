package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.ModelFiles;
import dev.dca.runtime.gguf.GgmlType;
import dev.dca.runtime.gguf.RandomGgufModel;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java decode step ({@link DecodeStep}) against the PyTorch path it replaces, on the architecture variants it
 * must cover: llama2.c (separate classifier), Qwen2 (attention bias), Qwen3 (q/k norm, head_dim != D / H), Llama 3
 * (rope scaling) and a GGUF (interleaved RoPE rows permuted at load). Rows sit at different positions, and a second
 * step reads the keys and values the first one wrote into the cache.
 */
class DecodeStepTest {

    /**
     * Weights held as BF16 or as the GGUF file stores them run every pass in Java, prefill chunks included. A file
     * held in its own format loses nothing (a BF16 value, a Q8_0 scale times its int8, a Q4_K, Q5_K or Q6_K weight decoded, an F16 widened
     * by ggml's formula: each is the same F32 the dequantizer gives PyTorch), so the logits must equal PyTorch's F32
     * pass over the same dequantized values to float rounding; an F32 file rounded to BF16 may move them by ~2^-9
     * relative per weight, a few tenths of a percent in the logits.
     */
    @ParameterizedTest
    @CsvSource({"models/tiny-random-llama/hf-bf16, BF16, 1e-4", "models/tiny-random-llama/tiny-random-llama-BF16.gguf, BF16, 1e-4",
            "models/tiny-arch/qwen3-hf, BF16, 2e-2", "models/tiny-random-llama/tiny-random-llama-Q8_0.gguf, STORED, 1e-4",
            "models/tiny-random-llama/tiny-random-llama-Q4_K.gguf, STORED, 1e-4", "models/tiny-random-llama/tiny-random-llama-Q6_K.gguf, STORED, 1e-4",
            "models/tiny-random-llama/tiny-random-llama-Q4_0.gguf, STORED, 1e-4", "models/tiny-random-llama/tiny-random-llama-Q5_K.gguf, STORED, 1e-4",
            "models/tiny-random-llama/tiny-random-llama-Q4_1.gguf, STORED, 1e-4", "models/tiny-random-llama/tiny-random-llama-Q5_0.gguf, STORED, 1e-4",
            "models/tiny-random-llama/tiny-random-llama-Q5_1.gguf, STORED, 1e-4", "models/tiny-random-llama/tiny-random-llama-Q3_K.gguf, STORED, 1e-4",
            "models/tiny-random-llama/tiny-random-llama-Q2_K.gguf, STORED, 1e-4",
            "models/tiny-random-llama/tiny-random-llama-BF16.gguf, STORED, 1e-4", "models/tiny-random-llama/tiny-random-llama-F16.gguf, STORED, 1e-4",
            "models/tiny-arch/qwen2-F32.gguf, STORED, 1e-4", "models/tiny-random-llama/hf-f32, JAVA_F32, 1e-4",
            "models/tiny-random-llama/tiny-random-llama.bin, JAVA_F32, 1e-4", "models/tiny-arch/qwen3-hf, JAVA_F32, 1e-4"})
    void weights_held_in_bf16_or_as_stored_compute_what_pytorch_computes_from_the_same_values(String fixture, DecodeStep.Hold held, double tolerance) {
        assumeTrue(LlamaDecoder.javaKernels(), "no Java kernels in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        compareWithPyTorch(EngineFixtures.require(fixture), held, tolerance);
    }

    /**
     * A GGUF whose matrices come in several types, as llama.cpp's mixed quantizations store them: q and k in Q8_0
     * but v in F16 (so q/k/v are held as two parts), gate Q8_0 and up F16, the output projection BF16, down F32.
     */
    @Test
    void a_gguf_of_mixed_types_is_held_as_stored_part_by_part(@TempDir Path dir) throws Exception {
        assumeTrue(LlamaDecoder.javaKernels(), "no Java kernels in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Path folder = tinyConfig(dir);
        Path gguf = dir.resolve("mixed.gguf");
        RandomGgufModel.write(folder, name -> name.contains("attn_v") || name.contains("ffn_up") ? GgmlType.F16
                : name.contains("attn_output") ? GgmlType.BF16 : name.contains("ffn_down") ? GgmlType.F32 : GgmlType.Q8_0, "smollm", 5, gguf);
        try (ModelFiles files = ModelLoader.open(gguf); NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            LlamaWeights w = LlamaWeights.load(files, manager, DecodeStep.Hold.STORED);
            assertThat(w.heldLayers[0].qkv()).extracting(DecodeStep.Matrix::type).containsExactly(GgmlType.Q8_0, GgmlType.F16);
            assertThat(w.heldLayers[0].qkv()).extracting(DecodeStep.Matrix::rows).containsExactly(64 + 32, 32);
            assertThat(w.heldLayers[0].gateUp()).extracting(DecodeStep.Matrix::type).containsExactly(GgmlType.Q8_0, GgmlType.F16);
            assertThat(w.heldTypes()).containsExactlyInAnyOrder(GgmlType.Q8_0, GgmlType.F16, GgmlType.BF16, GgmlType.F32);
        }
        compareWithPyTorch(gguf, DecodeStep.Hold.STORED, 1e-4);
    }

    /** An IQ4_NL GGUF (written here; no reference file has one) held as stored, against PyTorch over the same values. */
    @Test
    void an_iq4_nl_gguf_is_held_as_stored(@TempDir Path dir) throws Exception {
        assumeTrue(LlamaDecoder.javaKernels(), "no Java kernels in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Path folder = tinyConfig(dir);
        Path gguf = dir.resolve("iq4nl.gguf");
        RandomGgufModel.write(folder, name -> GgmlType.IQ4_NL, "smollm", 6, gguf);
        try (ModelFiles files = ModelLoader.open(gguf); NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            assertThat(LlamaWeights.load(files, manager, DecodeStep.Hold.STORED).heldTypes()).contains(GgmlType.IQ4_NL);
        }
        compareWithPyTorch(gguf, DecodeStep.Hold.STORED, 1e-4);
    }

    /** A folder with a tiny SmolLM2-style config.json and the real SmolLM2 tokenizer, for RandomGgufModel. */
    private static Path tinyConfig(Path dir) throws java.io.IOException {
        Path smol = EngineFixtures.require("tokenizers/SmolLM2-135M-Instruct");
        Path folder = Files.createDirectories(dir.resolve("tiny"));
        Files.copy(smol.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        Files.writeString(folder.resolve("config.json"), """
                {"hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2,
                 "intermediate_size": 96, "vocab_size": 49152, "initializer_range": 0.1, "tie_word_embeddings": true}""");
        return folder;
    }

    private static void compareWithPyTorch(Path model, DecodeStep.Hold held, double tolerance) {
        String fixture = model.getFileName().toString();
        try (ModelFiles files = ModelLoader.open(model);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            ModelConfig c = files.config();
            LlamaDecoder kernels = new LlamaDecoder(c, LlamaWeights.load(files, manager, held), false);
            LlamaDecoder torch = new LlamaDecoder(c, LlamaWeights.load(files, manager, DecodeStep.Hold.F32), false);
            assertThat(kernels.held()).isEqualTo(held);
            KvCache a = new KvCache(manager, c.numLayers(), 2, c.numKvHeads(), 32, c.headDim(), false);
            KvCache b = new KvCache(manager, c.numLayers(), 2, c.numKvHeads(), 32, c.headDim(), false);
            Random random = new Random(11);
            int[] prompt = random.ints(9, 1, c.vocabSize()).toArray();
            try (NDManager m = manager.newSubManager()) {
                // prefill in two chunks (all positions' logits), then two rows decoding at different positions
                assertClose(kernels.forward(m, a, java.util.Arrays.copyOf(prompt, 6), 1, 6, 0, new int[] {0}, true),
                        torch.forward(m, b, java.util.Arrays.copyOf(prompt, 6), 1, 6, 0, new int[] {0}, true), c.vocabSize(), tolerance, fixture + " chunk 1");
                int[] rest = java.util.Arrays.copyOfRange(prompt, 6, 9);
                assertClose(kernels.forward(m, a, rest, 1, 3, 0, new int[] {6}, false), torch.forward(m, b, rest, 1, 3, 0, new int[] {6}, false),
                        c.vocabSize(), tolerance, fixture + " chunk 2");
                assertClose(kernels.forward(m, a, new int[] {5}, 1, 1, 1, new int[] {0}, false), torch.forward(m, b, new int[] {5}, 1, 1, 1, new int[] {0}, false),
                        c.vocabSize(), tolerance, fixture + " slot 1");
                int[] two = {7, 3};
                assertClose(kernels.forward(m, a, two, 2, 1, 0, new int[] {9, 1}, false), torch.forward(m, b, two, 2, 1, 0, new int[] {9, 1}, false),
                        c.vocabSize(), tolerance, fixture + " decode");
            }
            a.close();
            b.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertClose(NDArray got, NDArray want, int vocab, double tolerance, String what) {
        assertThat(got.getShape()).as(what).isEqualTo(want.getShape());
        float[] g = got.toFloatArray(), w = want.toFloatArray();
        for (int r = 0; r < w.length / vocab; r++) {
            double diff = 0, scale = 0;
            for (int v = 0; v < vocab; v++) {
                diff = Math.max(diff, Math.abs(g[r * vocab + v] - w[r * vocab + v]));
                scale = Math.max(scale, Math.abs(w[r * vocab + v]));
            }
            assertThat(diff / scale).as("%s row %d: normwise relative error", what, r).isLessThan(tolerance);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K/stories260K.bin", "models/tiny-arch/qwen2-hf", "models/tiny-arch/qwen3-hf",
            "models/tiny-arch/llama3-hf", "models/tiny-random-llama/tiny-random-llama-F32.gguf"})
    void a_java_decode_step_computes_what_pytorch_computes(String fixture) {
        assumeTrue(LlamaDecoder.javaKernels(), "no Vector API in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Path model = EngineFixtures.require(fixture); // outside the try: its skip must not become a failure below
        try (ModelFiles files = ModelLoader.open(model);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            ModelConfig c = files.config();
            LlamaWeights weights = LlamaWeights.load(files, manager, DecodeStep.Hold.F32);
            LlamaDecoder kernels = new LlamaDecoder(c, weights, true), torch = new LlamaDecoder(c, weights, false);
            assertThat(kernels.hasJavaDecodeStep()).as("the Java step is what this test checks").isTrue();
            assertThat(torch.hasJavaDecodeStep()).isFalse();

            int rows = 3, capacity = 24;
            int[] lengths = {5, 11, 1};
            Random random = new Random(7);
            KvCache a = new KvCache(manager, c.numLayers(), rows, c.numKvHeads(), capacity, c.headDim(), false);
            KvCache b = new KvCache(manager, c.numLayers(), rows, c.numKvHeads(), capacity, c.headDim(), false);
            for (int r = 0; r < rows; r++) { // the same prompts prefilled into both caches by PyTorch
                int[] prompt = random.ints(lengths[r], 1, c.vocabSize()).toArray();
                try (NDManager m = manager.newSubManager()) {
                    torch.forward(m, a, prompt, 1, prompt.length, r, new int[] {0}, false);
                    torch.forward(m, b, prompt, 1, prompt.length, r, new int[] {0}, false);
                }
            }
            int[] start = lengths.clone();
            for (int step = 0; step < 2; step++) {
                int[] tokens = random.ints(rows, 1, c.vocabSize()).toArray();
                try (NDManager m = manager.newSubManager()) {
                    NDArray got = kernels.forward(m, a, tokens, rows, 1, 0, start, false);
                    NDArray want = torch.forward(m, b, tokens, rows, 1, 0, start, false);
                    assertThat(got.getShape()).isEqualTo(want.getShape());
                    float[] g = got.toFloatArray(), w = want.toFloatArray();
                    int vocab = c.vocabSize();
                    for (int r = 0; r < rows; r++) {
                        double diff = 0, scale = 0;
                        for (int v = 0; v < vocab; v++) {
                            diff = Math.max(diff, Math.abs(g[r * vocab + v] - w[r * vocab + v]));
                            scale = Math.max(scale, Math.abs(w[r * vocab + v]));
                        }
                        assertThat(diff / scale).as("%s step %d row %d: normwise relative error", fixture, step, r).isLessThan(1e-4);
                    }
                    for (int l = 0; l < c.numLayers(); l++) { // the new keys and values landed where PyTorch puts them
                        float[] ka = a.k[l].toFloatArray(), kb = b.k[l].toFloatArray(), va = a.v[l].toFloatArray(), vb = b.v[l].toFloatArray();
                        for (int i = 0; i < ka.length; i++) {
                            assertThat(ka[i]).as("layer %d key %d", l, i).isCloseTo(kb[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(kb[i]))));
                            assertThat(va[i]).as("layer %d value %d", l, i).isCloseTo(vb[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(vb[i]))));
                        }
                    }
                }
                for (int r = 0; r < rows; r++) start[r]++;
            }
            a.close();
            b.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Attention on the head dims where a row of values is four vectors (64 with 16 lanes, 32 with 8), whose sums for a
     * group of query heads are made in one pass ({@code groupValues}), with five query heads per kv head (a group of
     * four, then one), against PyTorch.
     */
    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void query_heads_grouped_over_one_pass_of_the_values_compute_what_pytorch_computes(int headDim, @TempDir Path dir) throws Exception {
        assumeTrue(LlamaDecoder.javaKernels(), "no Java kernels in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        compareWithPyTorch(randomModel(dir, headDim), DecodeStep.Hold.STORED, 1e-4);
    }

    /** A random F32 GGUF of 10 query heads and 2 kv heads of {@code headDim}, with the real SmolLM2 tokenizer. */
    private static Path randomModel(Path dir, int headDim) throws java.io.IOException {
        Path smol = EngineFixtures.require("tokenizers/SmolLM2-135M-Instruct");
        Path folder = Files.createDirectories(dir.resolve("heads"));
        Files.copy(smol.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        Files.writeString(folder.resolve("config.json"), """
                {"hidden_size": %d, "num_attention_heads": 10, "num_key_value_heads": 2, "num_hidden_layers": 2,
                 "intermediate_size": 96, "vocab_size": 49152, "initializer_range": 0.1, "tie_word_embeddings": true}""".formatted(10 * headDim));
        Path gguf = dir.resolve("heads.gguf");
        RandomGgufModel.write(folder, GgmlType.F32, "smollm", 3, gguf);
        return gguf;
    }

    /**
     * A BF16 KV cache ({@code --kv-cache bf16}) on head dims that exercise each path of its attention kernels with 8
     * and 16 lanes (64: whole vectors, and on 16 lanes the grouped values; 32, 48 and 80: a vector pair, a single
     * vector and scalar tails), five query heads per kv head. The keys of layer 0
     * (which depend only on the embeddings) must be exactly the F32 cache's, rounded to BF16; the keys and values of
     * each head (normwise) and the logits must stay within what that rounding explains. BF16 keeps 8 significant bits
     * (2^-9 relative per value: 0.2-0.4% normwise in layer 0 here); through this random model that measured up to
     * 0.75% on layer 1's keys and values and 1.2% of the logits' scale, and with an F32 cache holding the same rounded
     * values (a scratch build) the two caches' logits agreed to 1.3e-6, so the difference is the rounding, not the
     * kernels. Pairing a query's even dims with the keys' odd ones, or putting the values' sums back out of order,
     * fails the prefill's logits (checked by breaking each on purpose).
     */
    @ParameterizedTest
    @ValueSource(ints = {64, 32, 48, 80})
    void a_bf16_kv_cache_holds_rounded_keys_and_values_and_attends_over_them(int headDim, @TempDir Path dir) throws Exception {
        assumeTrue(LlamaDecoder.javaKernels(), "no Java kernels in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Path gguf = randomModel(dir, headDim);
        try (ModelFiles files = ModelLoader.open(gguf); NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            ModelConfig c = files.config();
            assertThat(c.headDim()).isEqualTo(headDim);
            LlamaDecoder decoder = new LlamaDecoder(c, LlamaWeights.load(files, manager, DecodeStep.Hold.STORED), false);
            KvCache f32 = new KvCache(manager, c.numLayers(), 2, c.numKvHeads(), 40, c.headDim(), false);
            KvCache bf16 = new KvCache(manager, c.numLayers(), 2, c.numKvHeads(), 40, c.headDim(), true);
            int[] prompt = new Random(5).ints(20, 1, c.vocabSize()).toArray();
            try (NDManager m = manager.newSubManager()) {
                assertClose(decoder.forward(m, bf16, prompt, 1, 20, 0, new int[] {0}, true), decoder.forward(m, f32, prompt, 1, 20, 0, new int[] {0}, true),
                        c.vocabSize(), 3e-2, "prefill");
                f32.copySlot(0, 1, 20);
                bf16.copySlot(0, 1, 20);
                int[] two = {11, 4};
                for (int step = 0; step < 3; step++) { // two forks of the prompt, decoding different tokens
                    assertClose(decoder.forward(m, bf16, two, 2, 1, 0, new int[] {20 + step, 20 + step}, false),
                            decoder.forward(m, f32, two, 2, 1, 0, new int[] {20 + step, 20 + step}, false), c.vocabSize(), 3e-2, "decode " + step);
                    two = new int[] {two[0] + 1, two[1] + 1};
                }
            }
            int perSlot = c.numKvHeads() * 40 * headDim;
            for (int l = 0; l < c.numLayers(); l++) {
                float[] kf = f32.k[l].toFloatArray(), vf = f32.v[l].toFloatArray();
                ShortBuffer kb = bf16.views().k()[l].duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
                ShortBuffer vb = bf16.views().v()[l].duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
                for (int slot = 0; slot < 2; slot++) {
                    for (int kvh = 0; kvh < c.numKvHeads(); kvh++) {
                        double keyDiff = 0, keyScale = 0, valueDiff = 0, valueScale = 0;
                        for (int pos = 0; pos < 23; pos++) {
                            for (int i = 0; i < headDim; i++) {
                                int at = slot * perSlot + (kvh * 40 + pos) * headDim + i;
                                if (l == 0) {
                                    assertThat(kb.get(at)).as("layer 0 key %d: the F32 key rounded", at).isEqualTo(Bf16.round(kf[at]));
                                    assertThat(vb.get(at)).as("layer 0 value %d: the F32 value rounded", at).isEqualTo(Bf16.round(vf[at]));
                                }
                                keyDiff = Math.max(keyDiff, Math.abs(Bf16.widen(kb.get(at)) - kf[at]));
                                keyScale = Math.max(keyScale, Math.abs(kf[at]));
                                valueDiff = Math.max(valueDiff, Math.abs(Bf16.widen(vb.get(at)) - vf[at]));
                                valueScale = Math.max(valueScale, Math.abs(vf[at]));
                            }
                        }
                        assertThat(keyDiff / keyScale).as("layer %d slot %d kv head %d: keys' normwise relative error", l, slot, kvh).isLessThan(0.02);
                        assertThat(valueDiff / valueScale).as("layer %d slot %d kv head %d: values' normwise relative error", l, slot, kvh).isLessThan(0.02);
                    }
                }
            }
            f32.close();
            bf16.close();
        }
    }
}
