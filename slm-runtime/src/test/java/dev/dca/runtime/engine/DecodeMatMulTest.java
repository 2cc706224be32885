package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.dca.runtime.gguf.GgmlType;
import dev.dca.runtime.gguf.GgufDequantizer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class DecodeMatMulTest {

    @Test
    void the_vector_kernel_is_found_on_java_22_and_later() {
        assumeTrue(Runtime.version().feature() >= 22, "Java " + Runtime.version().feature() + ": the kernel needs 22+");
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "run without --add-modules jdk.incubator.vector");
        assertThat(DecodeMatMul.vectorApi()).as("VectorMatMul in the jar's Java 22 layer").isPresent();
    }

    /** Every row count up to the limit, sizes with and without vector tails, with and without bias. */
    @Test
    void multiplies_like_the_definition() {
        DecodeMatMul k = DecodeMatMul.vectorApi().orElse(null);
        assumeTrue(k != null, "no Vector API kernel in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Random r = new Random(3);
        int[][] sizes = {{1, 1}, {3, 5}, {7, 8}, {64, 24}, {130, 37}, {1000, 576}};
        for (int[] size : sizes) {
            int out = size[0], in = size[1];
            float[] w = random(r, out * in);
            ByteBuffer wb = ByteBuffer.allocateDirect(w.length * 4).order(ByteOrder.nativeOrder());
            wb.asFloatBuffer().put(w);
            for (int rows = 1; rows <= DecodeMatMul.MAX_ROWS; rows++) {
                float[] x = random(r, rows * in);
                float[] bias = rows % 2 == 0 ? random(r, out) : null;
                float[] y = k.multiply(wb, out, in, x, rows, bias);
                for (int m = 0; m < rows; m++) {
                    for (int o = 0; o < out; o++) {
                        double want = bias == null ? 0 : bias[o];
                        double scale = Math.abs(want);
                        for (int i = 0; i < in; i++) {
                            want += (double) w[o * in + i] * x[m * in + i];
                            scale += Math.abs((double) w[o * in + i] * x[m * in + i]);
                        }
                        // float accumulation in another order: error bounded by n * eps * sum |terms|
                        assertThat((double) y[m * out + o]).as("out %d in %d rows %d: y[%d][%d]", out, in, rows, m, o)
                                .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-6 * in * scale + 1e-30));
                    }
                }
            }
        }
    }

    /**
     * The decode workers are shared: products called from several threads at once (two requests decoding side by
     * side, a server) must each get their own answer, whether they ran on the workers or alone: a mixed-up or
     * unfinished part would leave another caller's values or zeros.
     */
    @Test
    void products_from_several_threads_at_once_are_each_right() throws Exception {
        DecodeMatMul k = DecodeMatMul.vectorApi().orElse(null);
        assumeTrue(k != null, "no Vector API kernel in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        int out = 700, in = 96, callers = 4, calls = 200;
        Random r = new Random(11);
        float[] w = random(r, out * in);
        ByteBuffer wb = ByteBuffer.allocateDirect(w.length * 4).order(ByteOrder.nativeOrder());
        wb.asFloatBuffer().put(w);
        float[][] xs = new float[callers][], wants = new float[callers][];
        for (int c = 0; c < callers; c++) {
            xs[c] = random(r, in);
            wants[c] = k.multiply(wb, out, in, xs[c], 1, null);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int id = c;
                results.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int i = 0; i < calls; i++) {
                        float[] y = k.multiply(wb, out, in, xs[id], 1, null);
                        // the same sums, but the JIT's vector code may add lanes in another order than the first calls
                        for (int o = 0; o < out; o++) {
                            if (Math.abs(y[o] - wants[id][o]) > 1e-4f * (1 + Math.abs(wants[id][o]))) {
                                wrong++;
                                break;
                            }
                        }
                    }
                    return wrong;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : results) assertThat(f.get()).as("calls with a wrong result").isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /** BF16 and Q8_0 weights against the definition over their exact values, with odd widths and many rows. */
    @Test
    void multiplies_bf16_and_q8_0_weights_like_the_definition() {
        DecodeMatMul k = DecodeMatMul.vectorApi().orElse(null);
        assumeTrue(k != null, "no Vector API kernel in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Random r = new Random(5);
        for (int[] size : new int[][] {{1, 2}, {3, 7}, {64, 24}, {130, 37}, {257, 576}}) { // BF16: any width
            int out = size[0], in = size[1];
            float[] w = new float[out * in];
            ByteBuffer wb = bf16Weights(r, w);
            for (int rows : new int[] {1, 2, 5, 8, 13}) check(w, out, in, rows, r, x -> k.multiply(GgmlType.BF16, wb, out, in, x, rows, null));
            checkRows(k, GgmlType.BF16, wb, w, out, in);
        }
        for (int[] size : new int[][] {{1, 32}, {5, 64}, {130, 576}}) {
            int out = size[0], in = size[1];
            float[] w = new float[out * in];
            ByteBuffer wb = q8Weights(r, w);
            for (int rows : new int[] {1, 3, 8, 11}) check(w, out, in, rows, r, x -> k.multiply(GgmlType.Q8_0, wb, out, in, x, rows, null));
            checkRows(k, GgmlType.Q8_0, wb, w, out, in);
        }
    }

    /**
     * F32, BF16 and Q8_0 matrices in panels (whatever this machine's vector width, through {@code PanelKernels.pack}
     * directly): every input count the kernels group differently (1, 4, 8 and their remainders, prefill's many),
     * several panels per worker, the embedding lookup exact, and the file's bytes untouched when they are read-only.
     */
    @Test
    void multiplies_f32_bf16_and_q8_0_weights_in_panels_like_the_definition() throws ReflectiveOperationException {
        DecodeMatMul k = DecodeMatMul.vectorApi().orElse(null);
        assumeTrue(k != null, "no Vector API kernel in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Class<?> panelKernels = Class.forName("dev.dca.runtime.engine.PanelKernels");
        java.lang.reflect.Method packParts = panelKernels.getDeclaredMethod("pack", GgmlType.class, java.util.List.class, int[].class, int.class);
        packParts.setAccessible(true);
        int p = panelKernels.getDeclaredField("P").getInt(null);
        assumeTrue(panelKernels.getDeclaredField("SUPPORTED").getBoolean(null), "panels need 8 or 16 float lanes; this JVM's vectors have " + p);
        // the kernels for eight inputs this machine does not take (sixteen accumulators on 8 lanes, eight on 16)
        java.lang.reflect.Field wideField = panelKernels.getDeclaredField("WIDE");
        wideField.setAccessible(true);
        boolean otherKind = !wideField.getBoolean(null);
        java.lang.reflect.Method multiplyAs = panelKernels.getDeclaredMethod("multiply", DecodeStep.Matrix.class, int.class, float[].class, int.class, float[].class, boolean.class);
        multiplyAs.setAccessible(true);
        Random r = new Random(17);
        for (int[] size : new int[][] {{p, 2}, {2 * p, 38}, {10 * p, 576}}) {
            int out = size[0], in = size[1];
            float[] w = random(r, out * in);
            ByteBuffer wb = ByteBuffer.allocateDirect(w.length * 4).order(ByteOrder.nativeOrder());
            wb.asFloatBuffer().put(w);
            DecodeStep.Matrix fromFile = panels(packParts, GgmlType.F32, wb.asReadOnlyBuffer(), out, in);
            DecodeStep.Matrix m = panels(packParts, GgmlType.F32, wb, out, in);
            assertThat(m.data()).as("F32 moved in its own memory").isSameAs(wb);
            assertThat(fromFile.data().duplicate().clear()).as("the same layout either way").isEqualTo(wb.duplicate().clear());
            checkPanels(k, multiplyAs, otherKind, m, w, out, in, r);
        }
        for (int[] size : new int[][] {{p, 2}, {2 * p, 38}, {10 * p, 576}}) {
            int out = size[0], in = size[1];
            float[] w = new float[out * in];
            ByteBuffer wb = bf16Weights(r, w);
            ByteBuffer copy = ByteBuffer.allocateDirect(wb.capacity()).put(wb.duplicate().clear()).flip();
            DecodeStep.Matrix fromFile = panels(packParts, GgmlType.BF16, wb.asReadOnlyBuffer(), out, in);
            assertThat(wb.duplicate().clear()).as("read-only bytes left as they were").isEqualTo(copy);
            DecodeStep.Matrix m = panels(packParts, GgmlType.BF16, wb, out, in);
            assertThat(m.panel()).isEqualTo(p);
            assertThat(m.data()).as("BF16 moved in its own memory").isSameAs(wb);
            assertThat(fromFile.data().duplicate().clear()).as("the same layout either way").isEqualTo(wb.duplicate().clear());
            checkPanels(k, multiplyAs, otherKind, m, w, out, in, r);
        }
        for (int[] size : new int[][] {{p, 32}, {3 * p, 64}, {10 * p, 576}}) {
            int out = size[0], in = size[1];
            float[] w = new float[out * in];
            ByteBuffer wb = q8Weights(r, w);
            DecodeStep.Matrix m = panels(packParts, GgmlType.Q8_0, wb.asReadOnlyBuffer(), out, in);
            assertThat(m.panel()).isEqualTo(p);
            if (out > p) { // a file's parts (q, k, v) packed as one matrix: the same bytes as their concatenation's panels
                int split = out / p / 2 * p, at = split * in / 32 * 34;
                java.util.List<ByteBuffer> parts = java.util.List.of(wb.asReadOnlyBuffer().slice(0, at), wb.asReadOnlyBuffer().slice(at, wb.capacity() - at));
                DecodeStep.Matrix joined = (DecodeStep.Matrix) packParts.invoke(null, GgmlType.Q8_0, parts, new int[] {split, out - split}, in);
                assertThat(joined.rows()).isEqualTo(out);
                assertThat(joined.data().duplicate().clear()).isEqualTo(m.data().duplicate().clear());
            }
            assertThat(m.data().capacity()).as("F32 scales: 36 bytes per 32 weights").isEqualTo(out * in / 32 * 36);
            checkPanels(k, multiplyAs, otherKind, m, w, out, in, r);
        }
        // shapes that do not fill whole panels stay row-major (pack leaves them), and PanelKernels refuses them
        java.util.List<ByteBuffer> ragged = java.util.List.of(ByteBuffer.allocateDirect((p + 1) * 4 * 2));
        assertThat(k.pack(GgmlType.BF16, ragged, new int[] {p + 1}, 4)).isNull();
        assertThatThrownBy(() -> packParts.invoke(null, GgmlType.BF16, ragged, new int[] {p + 1}, 4)).hasRootCauseInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A matrix in panels against every input count the kernels group differently (1, 4, 8 and their remainders,
     * prefill's many), through the machine's kernels and the other kind of eight-input kernel; then its rows.
     */
    private static void checkPanels(DecodeMatMul k, java.lang.reflect.Method multiplyAs, boolean otherKind, DecodeStep.Matrix m, float[] w,
            int out, int in, Random r) {
        for (int rows : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 40}) {
            check(w, out, in, rows, r, x -> k.multiply(m, in, x, rows, null));
            check(w, out, in, rows, r, x -> invoke(multiplyAs, m, in, x, rows, otherKind));
        }
        checkPanelRows(k, m, w, out, in);
    }

    /** {@code PanelKernels.multiply} with the given kind of eight-input kernels. */
    private static float[] invoke(java.lang.reflect.Method multiplyAs, DecodeStep.Matrix m, int in, float[] x, int rows, boolean wide) {
        try {
            return (float[]) multiplyAs.invoke(null, m, in, x, rows, null, wide);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** One matrix through {@code PanelKernels.pack} (a list of one part). */
    private static DecodeStep.Matrix panels(java.lang.reflect.Method packParts, GgmlType type, ByteBuffer data, int rows, int in)
            throws ReflectiveOperationException {
        return (DecodeStep.Matrix) packParts.invoke(null, type, java.util.List.of(data), new int[] {rows}, in);
    }

    /** Random BF16 weights, little-endian, with their exact values in w. */
    private static ByteBuffer bf16Weights(Random r, float[] w) {
        ByteBuffer wb = ByteBuffer.allocateDirect(w.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < w.length; i++) {
            short b = Bf16.round((float) r.nextGaussian());
            wb.putShort(2 * i, b);
            w[i] = Bf16.widen(b);
        }
        return wb;
    }

    /** Random Q8_0 blocks (F16 scale, 32 int8 over the whole range), with their exact values in w. */
    private static ByteBuffer q8Weights(Random r, float[] w) {
        ByteBuffer wb = ByteBuffer.allocateDirect(w.length / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
        for (int block = 0; block < w.length / 32; block++) {
            short scale = Float.floatToFloat16((float) (r.nextDouble() / 64));
            wb.putShort(block * 34, scale);
            for (int i = 0; i < 32; i++) {
                byte q = (byte) (r.nextInt(256) - 128);
                wb.put(block * 34 + 2 + i, q);
                w[block * 32 + i] = Float.float16ToFloat(scale) * q;
            }
        }
        return wb;
    }

    /** The embedding lookup from panels: each row's values exactly. */
    private static void checkPanelRows(DecodeMatMul k, DecodeStep.Matrix m, float[] w, int out, int in) {
        for (int row = 0; row < out; row += Math.max(1, out / 7)) {
            float[] got = new float[in + 3];
            k.row(m, in, row, got, 3);
            assertThat(java.util.Arrays.copyOfRange(got, 3, in + 3)).as("%s row %d", m.type(), row)
                    .containsExactly(java.util.Arrays.copyOfRange(w, row * in, (row + 1) * in));
        }
    }

    /**
     * Every other ggml type a GGUF may store, held as stored: random blocks (scales kept finite), against the
     * reference dequantizer's values; any row count, several row blocks of the multi-row path.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL"})
    void multiplies_weights_held_as_stored_like_the_reference_dequantizer(GgmlType type) {
        DecodeMatMul k = DecodeMatMul.vectorApi().orElse(null);
        assumeTrue(k != null, "no Vector API kernel in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Random r = new Random(type.ordinal());
        int in = type.blockSize == 1 ? 37 : 2 * Math.max(256, type.blockSize), out = 67;
        byte[] bytes = new byte[out * in / type.blockSize * type.typeSize];
        r.nextBytes(bytes);
        if (type == GgmlType.F16) {
            for (int i = 0; i < out * in; i++) { short h = Float.floatToFloat16((float) r.nextGaussian()); bytes[2 * i] = (byte) h; bytes[2 * i + 1] = (byte) (h >> 8); }
        } else {
            for (int b = 0; b < bytes.length / type.typeSize; b++) saneScales(type, bytes, b * type.typeSize, r);
        }
        ByteBuffer wb = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN).put(bytes).flip();
        float[] w = GgufDequantizer.dequantize(type, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), out * in);
        for (float v : w) assertThat(Float.isFinite(v)).isTrue();
        for (int rows : new int[] {1, 2, 8, 9}) check(w, out, in, rows, r, x -> k.multiply(type, wb, out, in, x, rows, null));
        checkRows(k, type, wb, w, out, in);
    }

    /**
     * Every one of the 65,536 F16 bit patterns (normal, subnormal, zeros, infinities, NaNs) read by the one-row F16
     * path (vectorized by C2) gives {@link Float#float16ToFloat}'s value: row o holds pattern o in its first column
     * and zeros elsewhere, x is (1, 0, ...).
     */
    @Test
    void f16_weights_convert_exactly_for_every_half() {
        DecodeMatMul k = DecodeMatMul.vectorApi().orElse(null);
        assumeTrue(k != null, "no Vector API kernel in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        int out = 65536, in = 16;
        ByteBuffer wb = ByteBuffer.allocateDirect(out * in * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int o = 0; o < out; o++) wb.putShort(o * in * 2, (short) o);
        float[] x = new float[in];
        x[0] = 1;
        float[] y = k.multiply(GgmlType.F16, wb, out, in, x, 1, null);
        for (int o = 0; o < out; o++) {
            float want = Float.float16ToFloat((short) o);
            if (Float.isNaN(want)) assertThat(y[o]).as("half 0x%04x", o).isNaN();
            else assertThat(y[o] == want).as("half 0x%04x: %s, want %s", o, y[o], want).isTrue();
        }
    }

    /** The F16 scales of a block (where ggml puts them) set to small finite values: random bits may be NaN. */
    private static void saneScales(GgmlType type, byte[] b, int o, Random r) {
        int[] at = switch (type) {
            case Q4_0, Q5_0, IQ4_NL -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.name());
        };
        for (int a : at) {
            short h = Float.floatToFloat16((float) (r.nextDouble() / 16));
            b[o + a] = (byte) h;
            b[o + a + 1] = (byte) (h >> 8);
        }
    }

    /** {@link DecodeMatMul#row} (the embedding lookup) gives each row's values exactly. */
    private static void checkRows(DecodeMatMul k, GgmlType type, ByteBuffer wb, float[] w, int out, int in) {
        for (int row : new int[] {0, out / 2, out - 1}) {
            float[] got = new float[in + 3];
            k.row(type, wb, in, row, got, 3);
            assertThat(java.util.Arrays.copyOfRange(got, 3, in + 3)).as("%s row %d", type, row)
                    .containsExactly(java.util.Arrays.copyOfRange(w, row * in, (row + 1) * in));
        }
    }

    private static void check(float[] w, int out, int in, int rows, Random r, java.util.function.Function<float[], float[]> kernel) {
        float[] x = random(r, rows * in);
        float[] y = kernel.apply(x);
        for (int m = 0; m < rows; m++) {
            for (int o = 0; o < out; o++) {
                double want = 0, scale = 0;
                for (int i = 0; i < in; i++) {
                    want += (double) w[o * in + i] * x[m * in + i];
                    scale += Math.abs((double) w[o * in + i] * x[m * in + i]);
                }
                assertThat((double) y[m * out + o]).as("out %d in %d rows %d: y[%d][%d]", out, in, rows, m, o)
                        .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-6 * in * scale + 1e-30));
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
