package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
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

    /** BF16 and Q8_0 weights against the definition over their exact values, with odd widths and many rows. */
    @Test
    void multiplies_bf16_and_q8_0_weights_like_the_definition() {
        DecodeMatMul k = DecodeMatMul.vectorApi().orElse(null);
        assumeTrue(k != null, "no Vector API kernel in this JVM (Java 21, or no --add-modules jdk.incubator.vector)");
        Random r = new Random(5);
        for (int[] size : new int[][] {{1, 2}, {3, 7}, {64, 24}, {130, 37}, {257, 576}}) { // BF16: any width
            int out = size[0], in = size[1];
            float[] w = new float[out * in];
            ByteBuffer wb = ByteBuffer.allocateDirect(w.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < w.length; i++) {
                short b = Bf16.round((float) r.nextGaussian());
                wb.putShort(2 * i, b);
                w[i] = Bf16.widen(b);
            }
            for (int rows : new int[] {1, 2, 5, 8, 13}) check(w, out, in, rows, r, x -> k.multiplyBf16(wb, out, in, x, rows, null));
        }
        assumeTrue(k.hasQ8_0(), "no Q8_0 kernel for this CPU's vector width");
        for (int[] size : new int[][] {{1, 32}, {5, 64}, {130, 576}}) {
            int out = size[0], in = size[1];
            float[] w = new float[out * in];
            ByteBuffer wb = ByteBuffer.allocateDirect(out * in / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
            for (int block = 0; block < out * in / 32; block++) {
                short scale = Float.floatToFloat16((float) (r.nextDouble() / 64));
                wb.putShort(block * 34, scale);
                for (int i = 0; i < 32; i++) {
                    byte q = (byte) (r.nextInt(255) - 127);
                    wb.put(block * 34 + 2 + i, q);
                    w[block * 32 + i] = Float.float16ToFloat(scale) * q;
                }
            }
            for (int rows : new int[] {1, 3, 8, 11}) check(w, out, in, rows, r, x -> k.multiplyQ8_0(wb, out, in, x, rows, null));
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
