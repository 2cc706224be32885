package dev.dca.runtime.gguf;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dca.runtime.chat.Message;
import dev.dca.runtime.model.Tensor;
import dev.dca.runtime.tokenizer.HfTokenizer;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {

    @TempDir
    Path tmp;

    @Test
    void q8_0RoundTripsWithinHalfAStepPerBlock() {
        Random r = new Random(7);
        float[] x = TinyGguf.random(r, 32 * 64);
        x[5] = 0; // a zero and an all-zero block must survive
        for (int i = 64; i < 96; i++) x[i] = 0;
        float[] y = GgufDequantizer.dequantize(GgmlType.Q8_0, ByteBuffer.wrap(GgufWriter.encode(GgmlType.Q8_0, x)).order(ByteOrder.LITTLE_ENDIAN), x.length);
        for (int b = 0; b < x.length; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b + j]));
            // ggml rounds x / d with the exact d but stores d as f16: half a step plus |q| times the f16 error of d
            float d = amax / 127, d16 = Float.float16ToFloat(Float.floatToFloat16(d));
            float bound = d / 2 + 127 * Math.abs(d16 - d) + 1e-7f;
            for (int j = 0; j < 32; j++) assertThat(y[b + j]).isCloseTo(x[b + j], within(bound));
        }
        assertThat(y[5]).isZero();
        for (int i = 64; i < 96; i++) assertThat(y[i]).isZero();
    }

    @Test
    void q4_0RoundTripsWithinHalfAStepPerBlock() {
        Random r = new Random(9);
        float[] x = TinyGguf.random(r, 32 * 64);
        for (int i = 64; i < 96; i++) x[i] = 0;
        float[] y = GgufDequantizer.dequantize(GgmlType.Q4_0, ByteBuffer.wrap(GgufWriter.encode(GgmlType.Q4_0, x)).order(ByteOrder.LITTLE_ENDIAN), x.length);
        for (int b = 0; b < x.length; b += 32) {
            float max = 0;
            for (int j = 0; j < 32; j++) if (Math.abs(x[b + j]) > Math.abs(max)) max = x[b + j];
            // d = max / -8 stored as f16: the extreme value maps to q = 0 (exactly -8 d), the rest round to the nearest
            // step, except that q stops at 15 (+7 d), so values near -max are off by up to one step
            float d = Math.abs(max / 8), d16 = Math.abs(Float.float16ToFloat(Float.floatToFloat16(max / -8)));
            float bound = d + 8 * Math.abs(d16 - d) + 1e-7f;
            for (int j = 0; j < 32; j++) assertThat(y[b + j]).as("block %d value %d", b / 32, j).isCloseTo(x[b + j], within(bound));
        }
        for (int i = 64; i < 96; i++) assertThat(y[i]).isZero();
    }

    /** Q6_K by a plain fit: every value within half a step of its run of 16 (plus the int8 scale's rounding). */
    @Test
    void q6_kRoundTripsWithinHalfAStepPerRun() {
        Random r = new Random(12);
        float[] x = TinyGguf.random(r, 256 * 8);
        for (int i = 256; i < 512; i++) x[i] = 0; // an all-zero super-block
        byte[] b = GgufWriter.encode(GgmlType.Q6_K, x);
        assertThat(b).hasSize(8 * 210);
        float[] y = GgufDequantizer.dequantize(GgmlType.Q6_K, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), x.length);
        for (int s = 0; s < x.length; s += 256) {
            float maxScale = 0;
            for (int g = 0; g < 16; g++) {
                float amax = 0;
                for (int l = 0; l < 16; l++) amax = Math.max(amax, Math.abs(x[s + 16 * g + l]));
                maxScale = Math.max(maxScale, amax / 31);
            }
            float d = maxScale / 127;
            for (int g = 0; g < 16; g++) {
                float amax = 0;
                for (int l = 0; l < 16; l++) amax = Math.max(amax, Math.abs(x[s + 16 * g + l]));
                // half a step of the run's scale, plus up to 32 steps of half a d where the int8 scale rounds off
                float bound = amax / 31 / 2 + 32 * d / 2 + 1e-6f + 0.01f * amax;
                for (int l = 0; l < 16; l++) {
                    int at = s + 16 * g + l;
                    assertThat(y[at]).as("value %d", at).isCloseTo(x[at], org.assertj.core.data.Offset.offset(bound));
                }
            }
        }
        for (int i = 256; i < 512; i++) assertThat(y[i]).isZero();
    }

    /**
     * Q5_0 and Q5_1 by ggml's reference formulas: every value within half a step (plus the F16 rounding of d and m);
     * Q5_0's levels run -16..15 steps, so the value opposite the largest magnitude may be a whole step off.
     */
    @Test
    void q5_0AndQ5_1RoundTripWithinHalfAStep() {
        Random r = new Random(13);
        float[] x = TinyGguf.random(r, 32 * 40);
        for (int i = 64; i < 96; i++) x[i] = 0; // an all-zero block
        for (GgmlType type : new GgmlType[] {GgmlType.Q5_0, GgmlType.Q5_1}) {
            byte[] b = GgufWriter.encode(type, x);
            assertThat(b).hasSize(40 * type.typeSize);
            float[] y = GgufDequantizer.dequantize(type, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), x.length);
            for (int s = 0; s < x.length; s += 32) {
                float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE, amax = 0;
                for (int j = 0; j < 32; j++) { lo = Math.min(lo, x[s + j]); hi = Math.max(hi, x[s + j]); amax = Math.max(amax, Math.abs(x[s + j])); }
                float step = type == GgmlType.Q5_0 ? amax / 16 : (hi - lo) / 31;
                float bound = (type == GgmlType.Q5_0 ? step : step / 2) + 0.002f * amax + 1e-6f; // F16 d and m: ~2^-11 relative
                for (int j = 0; j < 32; j++) {
                    assertThat(y[s + j]).as("%s block %d value %d", type, s / 32, j).isCloseTo(x[s + j], within(bound));
                }
            }
            for (int i = 64; i < 96; i++) assertThat(y[i]).isZero();
        }
    }

    /**
     * IQ4_NL: ggml's table, worked by hand for one block (d = 1 from the largest magnitude, -127), then a fit within
     * half the widest gap between levels (24) of d.
     */
    @Test
    void iq4_nlDecodesGgmlsLevelsAndRoundTrips() {
        byte[] block = new byte[18];
        ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).putShort(Float.floatToFloat16(0.5f));
        block[2] = (byte) 0xF0; // element 0 -> level 0 (-127), element 16 -> level 15 (113)
        block[3] = (byte) 0x78; // element 1 -> level 8 (1), element 17 -> level 7 (-10)
        float[] y = GgufDequantizer.dequantize(GgmlType.IQ4_NL, ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN), 32);
        assertThat(y[0]).isEqualTo(-63.5f);
        assertThat(y[16]).isEqualTo(56.5f);
        assertThat(y[1]).isEqualTo(0.5f);
        assertThat(y[17]).isEqualTo(-5f);
        assertThat(y[2]).isEqualTo(-63.5f); // byte 0: both nibbles level 0

        Random r = new Random(14);
        float[] x = TinyGguf.random(r, 32 * 20);
        byte[] b = GgufWriter.encode(GgmlType.IQ4_NL, x);
        assertThat(b).hasSize(20 * 18);
        float[] z = GgufDequantizer.dequantize(GgmlType.IQ4_NL, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), x.length);
        for (int s = 0; s < x.length; s += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[s + j]));
            float d = amax / 127;
            for (int j = 0; j < 32; j++) {
                assertThat(z[s + j]).as("block %d value %d", s / 32, j).isCloseTo(x[s + j], within(12 * d + 0.002f * amax + 1e-6f));
            }
        }
    }

    /** Q4_K by a min/max fit: every value within one step of its run (plus the scales' 6-bit and F16 rounding). */
    @Test
    void q4_kRoundTripsWithinAStepPerRun() {
        roundTripsWithinAStepPerRun(GgmlType.Q4_K, 144, 15);
    }

    /** Q5_K: the same fit with 32 levels, the fifth bits in qh. */
    @Test
    void q5_kRoundTripsWithinAStepPerRun() {
        roundTripsWithinAStepPerRun(GgmlType.Q5_K, 176, 31);
    }

    private static void roundTripsWithinAStepPerRun(GgmlType type, int blockBytes, int top) {
        Random r = new Random(11);
        float[] x = TinyGguf.random(r, 256 * 16);
        for (int i = 512; i < 768; i++) x[i] = 0; // an all-zero super-block
        byte[] b = GgufWriter.encode(type, x);
        assertThat(b).hasSize(16 * blockBytes);
        float[] y = GgufDequantizer.dequantize(type, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), x.length);
        for (int s = 0; s < x.length; s += 256) {
            float dMax = 0, minMax = 0;
            for (int j = 0; j < 8; j++) {
                float lo = 0, hi = 0;
                for (int l = 0; l < 32; l++) { lo = Math.min(lo, x[s + 32 * j + l]); hi = Math.max(hi, x[s + 32 * j + l]); }
                dMax = Math.max(dMax, (hi - lo) / top / 63);
                minMax = Math.max(minMax, -lo / 63);
            }
            for (int j = 0; j < 8; j++) {
                float lo = 0, hi = 0;
                for (int l = 0; l < 32; l++) { lo = Math.min(lo, x[s + 32 * j + l]); hi = Math.max(hi, x[s + 32 * j + l]); }
                // half a step, plus up to top / 2 steps of d when the 6-bit scale rounds down, plus half a min step
                float bound = (hi - lo) / top / 2 + (top + 1) / 2f * dMax + minMax + 1e-6f;
                for (int l = 0; l < 32; l++) {
                    int i = s + 32 * j + l;
                    assertThat(y[i]).as("%s super-block %d run %d value %d", type, s / 256, j, l).isCloseTo(x[i], within(bound));
                }
            }
        }
        for (int i = 512; i < 768; i++) assertThat(y[i]).isZero();
    }

    @Test
    void q8_0MatchesTheReferenceRounding() {
        // amax 127 → d = 1 exactly; then q = roundf(x): halves round away from zero
        float[] x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.49f;
        byte[] b = GgufWriter.encode(GgmlType.Q8_0, x);
        assertThat(Float.float16ToFloat((short) ((b[0] & 0xFF) | b[1] << 8))).isEqualTo(1f);
        assertThat(new byte[] {b[2], b[3], b[4], b[5]}).containsExactly(127, 3, -3, 0);
    }

    @Test
    void bf16AndF16RoundToNearestEven() {
        float[] x = {1f, 1.00390625f /* 1 + 2^-8: tie, stays 1 */, 1.01171875f /* 1 + 3*2^-8: tie, rounds up */, -3.14159f, 65504f};
        float[] bf = GgufDequantizer.dequantize(GgmlType.BF16, ByteBuffer.wrap(GgufWriter.encode(GgmlType.BF16, x)).order(ByteOrder.LITTLE_ENDIAN), x.length);
        assertThat(bf).containsExactly(1f, 1f, 1.015625f, -3.140625f, 65536f);
        float[] h = GgufDequantizer.dequantize(GgmlType.F16, ByteBuffer.wrap(GgufWriter.encode(GgmlType.F16, x)).order(ByteOrder.LITTLE_ENDIAN), x.length);
        assertThat(h[0]).isEqualTo(1f);
        assertThat(h[4]).isEqualTo(65504f);
    }

    @Test
    void writtenModelLoadsWithTheSameValuesForF32AndQ8_0WithinQuantization() {
        try (GgufModelFiles f32 = GgufModelFiles.open(TinyGguf.write(tmp.resolve("f32.gguf"), GgmlType.F32));
             GgufModelFiles q8 = GgufModelFiles.open(TinyGguf.write(tmp.resolve("q8.gguf"), GgmlType.Q8_0))) {
            assertThat(q8.storedTensorTypes()).containsEntry("Q8_0", 8).containsEntry("F32", 3);
            for (String name : f32.tensorNames()) {
                float[] a = GgufEndToEndTest.floats(f32.tensor(name)), b = GgufEndToEndTest.floats(q8.tensor(name));
                for (int i = 0; i < a.length; i++) assertThat(b[i]).as(name).isCloseTo(a[i], within(0.01f));
            }
            assertThat(f32.tensor("model.layers.0.mlp.up_proj.weight").dtype()).isEqualTo(Tensor.DType.F32);
            assertThat(f32.stopTokenIds()).containsExactly(2);
        }
    }

    /** A SmolLM2-shaped (but tiny) random model carries the real SmolLM2 tokenizer and chat template. */
    @Test
    void randomModelCarriesTheRealSmolLm2TokenizerAndTemplate() throws Exception {
        Path smol = SharedFixtures.require("tokenizers/SmolLM2-135M-Instruct");
        Path folder = Files.createDirectories(tmp.resolve("smol-tiny"));
        ObjectNode cfg = (ObjectNode) new ObjectMapper().readTree(smol.resolve("config.json").toFile());
        cfg.put("hidden_size", 32).put("intermediate_size", 64).put("num_hidden_layers", 1)
                .put("num_attention_heads", 4).put("num_key_value_heads", 2);
        Files.writeString(folder.resolve("config.json"), cfg.toString());
        Files.copy(smol.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        Files.copy(smol.resolve("tokenizer_config.json"), folder.resolve("tokenizer_config.json"));
        Path out = tmp.resolve("smol-tiny-q8_0.gguf");
        RandomGgufModel.write(folder, GgmlType.Q8_0, "smollm", 1, out);
        try (GgufModelFiles g = GgufModelFiles.open(out)) {
            assertThat(g.config().vocabSize()).isEqualTo(49152);
            assertThat(g.config().tiedEmbeddings()).isTrue();
            assertThat(g.gguf().getString("tokenizer.ggml.pre")).isEqualTo("smollm");
            Tokenizer ours = g.tokenizer().orElseThrow();
            Tokenizer hf = HfTokenizer.load(folder).orElseThrow();
            for (String text : List.of("Hello world!", "The year 2024 had 366 days.", "  indented\tcode();\n", "héllo wörld ∑ 日本")) {
                assertThat(ours.encode(text, false)).as(text).containsExactly(hf.encode(text, false));
            }
            assertThat(g.chatTemplate().orElseThrow().render(List.of(Message.user("Hi")), true))
                    .endsWith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
            assertThat(g.stopTokenIds()).containsExactly(2);
        }
    }
}
