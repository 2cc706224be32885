package dev.dca.runtime.engine;

import dev.dca.runtime.gguf.GgmlType;
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
     * @param w    [out, in] in ggml {@code type}'s layout (see {@link DecodeStep.Matrix}): a live view of a weight
     *     tensor, or blocks as a GGUF file stores them
     * @param x    [rows, in]
     * @param bias [out] or null
     * @return [rows, out]; any row count
     */
    float[] multiply(GgmlType type, ByteBuffer w, int out, int in, float[] x, int rows, float[] bias);

    /** {@link #multiply} of native-order F32 weights. */
    default float[] multiply(ByteBuffer w, int out, int in, float[] x, int rows, float[] bias) {
        return multiply(GgmlType.F32, w, out, in, x, rows, bias);
    }

    /** Row {@code r} of {@code w} ({@code in} values) as F32 into {@code dst[at..]}: the embedding lookup. */
    void row(GgmlType type, ByteBuffer w, int in, int r, float[] dst, int at);

    /** {@link #multiply} of a held matrix, row-major or in this kernel's panels; y is [rows, w.rows()]. */
    default float[] multiply(DecodeStep.Matrix w, int in, float[] x, int rows, float[] bias) {
        if (w.panel() != 0) throw new IllegalArgumentException("a matrix in panels needs the kernel that packed it");
        return multiply(w.type(), w.data(), w.rows(), in, x, rows, bias);
    }

    /** {@link #row} of a held matrix, row-major or in this kernel's panels. */
    default void row(DecodeStep.Matrix w, int in, int r, float[] dst, int at) {
        if (w.panel() != 0) throw new IllegalArgumentException("a matrix in panels needs the kernel that packed it");
        row(w.type(), w.data(), in, r, dst, at);
    }

    /**
     * Parts of one type, each [rows[i], in], joined by rows in the layout this kernel reads fastest, or null when it
     * keeps them row-major (the caller then joins them). A single writable part may be laid out again in its own
     * memory, and must not be read after that.
     */
    default DecodeStep.Matrix pack(GgmlType type, java.util.List<ByteBuffer> parts, int[] rows, int in) {
        return null;
    }

    /** Whether {@link #pack} lays matrices of {@code type} out anew (given a shape it takes). */
    default boolean packs(GgmlType type) {
        return false;
    }

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
