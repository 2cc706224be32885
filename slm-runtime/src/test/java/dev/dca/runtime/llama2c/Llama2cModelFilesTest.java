package dev.dca.runtime.llama2c;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.model.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cModelFilesTest {

    @TempDir
    Path dir;

    private Path copyStories(byte[] checkpoint) throws IOException {
        Path out = dir.resolve("stories");
        Files.createDirectories(out);
        Files.copy(SharedFixtures.require("models/stories260K/tok512.bin"), out.resolve("tok512.bin"));
        Files.write(out.resolve("model.bin"), checkpoint);
        return out.resolve("model.bin");
    }

    @Test
    void the_legacy_header_gives_the_config_and_the_folder_finds_checkpoint_and_tokenizer() {
        try (Llama2cModelFiles f = Llama2cModelFiles.open(SharedFixtures.require("models/stories260K"))) {
            ModelConfig c = f.config();
            assertThat(c.hiddenSize()).isEqualTo(64);
            assertThat(c.numLayers()).isEqualTo(5);
            assertThat(c.numKvHeads()).isEqualTo(4);
            assertThat(c.tiedEmbeddings()).isTrue();
            assertThat(f.version()).isZero();
            assertThat(f.tokenizer()).isPresent();
        }
        try (Llama2cModelFiles f = Llama2cModelFiles.open(SharedFixtures.require("models/tiny-random-llama/tiny-random-llama.bin"))) {
            assertThat(f.config().tiedEmbeddings()).isFalse(); // negative vocab_size: separate classifier
            assertThat(f.tensorNames()).contains("lm_head.weight");
        }
    }

    @Test
    void interleaved_rows_become_rotate_half() {
        float[] w = new float[8 * 2];
        for (int r = 0; r < 8; r++) Arrays.fill(w, r * 2, r * 2 + 2, r);
        float[] out = Llama2cModelFiles.toRotateHalf(w, 2, 4, 2); // 2 heads of 4 rows: 0,1,2,3 -> 0,2,1,3
        assertThat(out).containsExactly(0, 0, 2, 2, 1, 1, 3, 3, 4, 4, 6, 6, 5, 5, 7, 7);
    }

    /** Rewrites stories260K's v0 file as v1 (f32) or v2 (Q8_0), the layouts of llama2.c's export.py. */
    private static byte[] exportVersion(byte[] v0, int version, int groupSize) {
        ByteBuffer in = ByteBuffer.wrap(v0).order(ByteOrder.LITTLE_ENDIAN);
        int dim = in.getInt(0), hidden = in.getInt(4), layers = in.getInt(8), heads = in.getInt(12), kvHeads = in.getInt(16);
        int vocab = in.getInt(20), seq = in.getInt(24);
        int kvDim = kvHeads * dim / heads;
        int[] pos = {28};
        java.util.function.IntFunction<float[]> next = n -> {
            float[] a = new float[n];
            in.position(pos[0]);
            in.asFloatBuffer().get(a);
            pos[0] += 4 * n;
            return a;
        };
        float[] emb = next.apply(vocab * dim);
        float[][] rmsAtt = new float[layers][], wq = new float[layers][], wk = new float[layers][], wv = new float[layers][], wo = new float[layers][];
        float[][] rmsFfn = new float[layers][], w1 = new float[layers][], w2 = new float[layers][], w3 = new float[layers][];
        for (int l = 0; l < layers; l++) rmsAtt[l] = next.apply(dim);
        for (int l = 0; l < layers; l++) wq[l] = next.apply(dim * dim);
        for (int l = 0; l < layers; l++) wk[l] = next.apply(kvDim * dim);
        for (int l = 0; l < layers; l++) wv[l] = next.apply(kvDim * dim);
        for (int l = 0; l < layers; l++) wo[l] = next.apply(dim * dim);
        for (int l = 0; l < layers; l++) rmsFfn[l] = next.apply(dim);
        for (int l = 0; l < layers; l++) w1[l] = next.apply(hidden * dim);
        for (int l = 0; l < layers; l++) w2[l] = next.apply(dim * hidden);
        for (int l = 0; l < layers; l++) w3[l] = next.apply(hidden * dim);
        float[] rmsFinal = next.apply(dim);

        ByteBuffer head = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(Llama2cModelFiles.MAGIC).putInt(version).putInt(dim).putInt(hidden).putInt(layers).putInt(heads)
                .putInt(kvHeads).putInt(vocab).putInt(seq).put((byte) 1);
        if (version == 2) head.putInt(groupSize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.array());
        List<float[]> norms = new ArrayList<>(Arrays.asList(rmsAtt));
        norms.addAll(Arrays.asList(rmsFfn));
        norms.add(rmsFinal);
        List<float[]> mats = new ArrayList<>();
        mats.add(emb);
        for (float[][] group : new float[][][] {wq, wk, wv, wo, w1, w2, w3}) mats.addAll(Arrays.asList(group));
        for (float[] a : norms) out.writeBytes(floats(a));
        if (version == 1) {
            for (float[] a : mats) out.writeBytes(floats(a));
        } else {
            List<float[]> scales = new ArrayList<>();
            for (float[] a : mats) {
                byte[] q = new byte[a.length];
                float[] s = new float[a.length / groupSize];
                for (int g = 0; g < s.length; g++) {
                    float max = 0;
                    for (int i = 0; i < groupSize; i++) max = Math.max(max, Math.abs(a[g * groupSize + i]));
                    s[g] = max / 127f;
                    for (int i = 0; i < groupSize; i++) q[g * groupSize + i] = (byte) Math.round(a[g * groupSize + i] / s[g]);
                }
                out.writeBytes(q);
                scales.add(s);
            }
            for (float[] s : scales) out.writeBytes(floats(s));
        }
        return out.toByteArray();
    }

    private static byte[] floats(float[] a) {
        ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(a);
        return b.array();
    }

    @Test
    void versioned_v1_and_v2_checkpoints_load_and_agree_with_v0() throws IOException {
        byte[] v0 = Files.readAllBytes(SharedFixtures.require("models/stories260K/stories260K.bin"));
        int[] tokens = {1, 403, 407, 261, 378, 29, 300};
        float[][] reference;
        try (LanguageModel m = ModelLoader.load(SharedFixtures.require("models/stories260K/stories260K.bin"), LoadOptions.DEFAULT.withMaxBatch(1))) {
            reference = m.logits(tokens);
        }
        Path v1 = copyStories(exportVersion(v0, 1, 0));
        try (LanguageModel m = ModelLoader.load(v1, LoadOptions.DEFAULT.withMaxBatch(1))) {
            float[][] l = m.logits(tokens);
            for (int t = 0; t < tokens.length; t++) assertThat(l[t]).containsExactly(reference[t], org.assertj.core.data.Offset.offset(1e-4f));
        }
        Files.write(v1, exportVersion(v0, 2, 32));
        try (LanguageModel m = ModelLoader.load(v1, LoadOptions.DEFAULT.withMaxBatch(1))) {
            assertThat(m.info().tensorTypes()).containsKey("Q8_0");
            float[][] l = m.logits(tokens);
            int agree = 0;
            for (int t = 0; t < tokens.length; t++) {
                if (dev.dca.runtime.engine.Sampler.argmax(l[t]) == dev.dca.runtime.engine.Sampler.argmax(reference[t])) agree++;
                for (int v = 0; v < l[t].length; v++) assertThat(Math.abs(l[t][v] - reference[t][v])).isLessThan(0.5f);
            }
            assertThat(agree).as("Q8_0 keeps the argmax").isGreaterThanOrEqualTo(tokens.length - 1);
        }
    }

    @Test
    void a_truncated_checkpoint_is_reported_with_sizes() throws IOException {
        byte[] v0 = Files.readAllBytes(SharedFixtures.require("models/stories260K/stories260K.bin"));
        Path bin = copyStories(Arrays.copyOf(v0, v0.length - 100));
        assertThatThrownBy(() -> Llama2cModelFiles.open(bin)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(bin.toString()).hasMessageContaining("truncated").hasMessageContaining(String.valueOf(v0.length));
    }

    @Test
    void a_wrong_magic_or_garbage_header_is_rejected_before_reading() throws IOException {
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 0x7f);
        Path bin = copyStories(garbage);
        assertThatThrownBy(() -> Llama2cModelFiles.open(bin)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(bin.toString()).hasMessageContaining("implausible header").hasMessageNotContaining("\n");
        byte[] v0 = Files.readAllBytes(SharedFixtures.require("models/stories260K/stories260K.bin"));
        byte[] v9 = exportVersion(v0, 1, 0);
        ByteBuffer.wrap(v9).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 9);
        Files.write(bin, v9);
        assertThatThrownBy(() -> Llama2cModelFiles.open(bin)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unsupported llama2.c checkpoint version 9");
    }

    @Test
    void a_missing_tokenizer_is_named() throws IOException {
        Path lone = dir.resolve("lone");
        Files.createDirectories(lone);
        Path bin = Files.copy(SharedFixtures.require("models/stories260K/stories260K.bin"), lone.resolve("stories260K.bin"));
        assertThatThrownBy(() -> ModelLoader.open(bin)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(bin.toString()).hasMessageContaining("no llama2.c tokenizer");
    }
}
