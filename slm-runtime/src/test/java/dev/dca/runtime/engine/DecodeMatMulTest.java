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

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
