package dev.dca.runtime.engine;

import dev.dca.runtime.gguf.GgmlType;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One whole decode step (each of a few rows feeds one token) outside PyTorch: embedding, every layer's norms, q/k/v,
 * RoPE, attention over the {@link KvCache}, SwiGLU MLP, and the output head, in plain Java over the engine's own
 * tensor memory.
 *
 * <p>Why: a decode step is ~13 small ops per layer; through DJL each costs a JNI call, a tensor allocation and a
 * dispatch, which on a 30-layer model is about as much time as the matmuls themselves (measured; see
 * docs/BENCHMARKS.md). Prefill and larger batches stay on {@link LlamaDecoder}'s PyTorch path; both write the same
 * cache, so they interleave freely.
 *
 * <p>The one implementation, {@code VectorDecodeStep}, lives in the jar's Java 22 layer (FFM and Vector API), found
 * reflectively like {@link DecodeMatMul}; without it every step runs on PyTorch.
 */
interface DecodeStep {

    /**
     * Runs one token per row: row i is token {@code tokens[i]} of cache slot {@code slots[i]} at position
     * {@code positions[i]}, whose key and value are written to the cache before any row attends, so the rows of one
     * slot may be consecutive positions (a prefill chunk) and each attends to positions up to its own.
     *
     * @param logitRows the rows whose logits are wanted
     * @return logits [logitRows.length, vocab], row-major
     */
    float[] run(int[] tokens, int[] slots, int[] positions, int[] logitRows, CacheViews cache);

    /** How a model's matrices (embedding and head included) are held. */
    enum Hold {
        /** F32 PyTorch tensors; decode steps read their memory in place. */
        F32,
        /** Every matrix rounded to BF16, held only here. */
        BF16,
        /**
         * Every matrix in F32, held only here, in the kernel's layout ({@link DecodeMatMul#pack}): for F32 models
         * where the kernel packs F32 (AVX2 and AVX-512 machines), so prefill runs on its panels too.
         */
        JAVA_F32,
        /** Every matrix as the GGUF file stores it (Q8_0, Q4_K, ... blocks, F16, BF16 or F32), held only here. */
        STORED
    }

    /**
     * A [rows, in] matrix in ggml {@code type}'s layout: F32 in native order (views of PyTorch tensors or GGUF data on
     * a little-endian CPU), everything else little-endian, rows of whole blocks. {@code panel} 0: row-major; otherwise
     * the rows are interleaved in panels of that many, as {@link DecodeMatMul#pack} laid them out, and only that
     * kernel reads them.
     */
    record Matrix(GgmlType type, ByteBuffer data, int rows, int panel) {
        /** A row-major matrix. */
        public Matrix(GgmlType type, ByteBuffer data, int rows) {
            this(type, data, rows, 0);
        }
    }

    /**
     * The weights as views of memory. q is multiplied by {@code queryScale} after its projection (1 when the weights
     * already hold it).
     */
    record Weights(int dim, int heads, int kvHeads, int headDim, int rotaryDim, int intermediate, int vocab, float rmsEps,
            float queryScale, Matrix embed, Layer[] layers, float[] finalNorm, Matrix lmHead, Rope rope) {}

    /**
     * One block; qkvBias and qkNorm ([H + KV] x hd, q's already scaled) may be null. {@code qkv} and {@code gateUp}
     * are one fused matrix, or parts whose outputs follow each other (a GGUF may store q, k and v in different types).
     */
    record Layer(float[] attnNorm, Matrix[] qkv, float[] qkvBias, float[] qkNorm, Matrix o, float[] ffnNorm,
            Matrix[] gateUp, Matrix down) {}

    /**
     * Per layer, the cache's keys and values [slots, KV, capacity, hd] as views of their memory: F32, or BF16 bit
     * patterns when {@code bf16}.
     */
    record CacheViews(ByteBuffer[] k, ByteBuffer[] v, int capacity, boolean bf16) {}

    /** The Java 22 implementation over {@code weights}, when this JVM has it ({@code LlamaDecoder.javaKernels} decides whether to use it). */
    static Optional<DecodeStep> vectorApi(Weights weights, DecodeMatMul matmul) {
        try {
            return Optional.of((DecodeStep) Class.forName("dev.dca.runtime.engine.VectorDecodeStep")
                    .getDeclaredConstructor(Weights.class, DecodeMatMul.class).newInstance(weights, matmul));
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty(); // Java 21: the class is not in this jar's versions layer
        }
    }
}
