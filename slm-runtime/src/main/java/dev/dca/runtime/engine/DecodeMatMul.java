package dev.dca.runtime.engine;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * {@code y = x W^T} for the few rows of a decode step, outside PyTorch. The one implementation,
 * {@code VectorMatMul}, lives in the jar's Java 22 layer (it needs the FFM API and the incubating Vector API), so it is
 * found reflectively: on Java 21, or without {@code --add-modules jdk.incubator.vector}, there is none and the
 * decoder keeps every matmul on PyTorch.
 */
interface DecodeMatMul {

    /** Largest number of rows worth doing here; beyond it PyTorch's blocked GEMM wins. */
    int MAX_ROWS = 8;

    /**
     * @param w    [out, in] F32, row-major, native byte order (a live view of a weight tensor)
     * @param x    [rows, in]
     * @param bias [out] or null
     * @return [rows, out]
     */
    float[] multiply(ByteBuffer w, int out, int in, float[] x, int rows, float[] bias);

    /** {@link #multiply} with {@code w} in BF16 (little-endian 16-bit values, row-major [out, in]); any row count. */
    float[] multiplyBf16(ByteBuffer w, int out, int in, float[] x, int rows, float[] bias);

    /**
     * {@link #multiply} with {@code w} in GGUF's Q8_0 blocks (per 32 weights: an F16 scale, then 32 int8), each row
     * {@code in / 32} blocks; any row count. False from {@link #hasQ8_0()} means this kernel is not available.
     */
    float[] multiplyQ8_0(ByteBuffer w, int out, int in, float[] x, int rows, float[] bias);

    /** Whether {@link #multiplyQ8_0} runs on this CPU's vector width (blocks of 32 split into whole vectors). */
    boolean hasQ8_0();

    /** The Vector API kernel when this JVM can run it and {@code -Ddca.matmul.torch=true} does not turn it off. */
    static Optional<DecodeMatMul> vectorApi() {
        if (Boolean.getBoolean("dca.matmul.torch") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of((DecodeMatMul) Class.forName("dev.dca.runtime.engine.VectorMatMul").getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty(); // Java 21: the class is not in this jar's versions layer
        }
    }
}
