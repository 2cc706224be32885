package dev.dca.runtime;

/**
 * How to load a model.
 *
 * @param device {@code cpu}, {@code gpu} or {@code auto} (GPU when the engine has one)
 * @param dtype how the weights are held: {@code auto} (where the Java kernels run, BF16 files stay BF16 and a GGUF
 *     file's matrices keep their own types, Q8_0, Q4_K, ...; everything else F32), {@code f32} (everything
 *     dequantized: on CPUs where the Java kernels lay F32 out in panels (AVX2, AVX-512), every pass there; otherwise PyTorch
 *     for prefill and the Java kernels for decode steps) or {@code bf16} (any file rounded to BF16,
 *     every pass on the Java kernels; CPU and Java 22+ only)
 * @param maxBatch most sequences decoded together in one forward step
 * @param contextLength 0 keeps the model's own; a smaller value caps the KV cache
 * @param kvCache how the KV cache holds keys and values: {@code f32} (the default: exact, what the reference tests
 *     check) or {@code bf16} (half the memory, and twice the tokens in the prefix cache's budget; each key and value
 *     rounded to BF16 as it is written, so the logits move by about that rounding; on the machines measured it decoded
 *     at most a few percent faster, see docs/BENCHMARKS.md). {@code bf16} needs weights held for the Java kernels
 *     (every pass in Java: BF16, quantized or F32 held in panels), not PyTorch tensors
 */
public record LoadOptions(String device, String dtype, int maxBatch, int contextLength, String kvCache) {

    public static final LoadOptions DEFAULT = new LoadOptions("auto", "auto", 16, 0, "f32");

    public LoadOptions {
        if (!device.matches("auto|cpu|gpu")) throw new IllegalArgumentException("device must be auto, cpu or gpu, got " + device);
        if (!dtype.matches("auto|f32|bf16")) throw new IllegalArgumentException("dtype (--compute) must be auto, f32 or bf16, got " + dtype);
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        if (contextLength < 0) throw new IllegalArgumentException("contextLength must be >= 0, got " + contextLength);
        if (!kvCache.matches("f32|bf16")) throw new IllegalArgumentException("kvCache (--kv-cache) must be f32 or bf16, got " + kvCache);
    }

    public LoadOptions withDevice(String d) { return new LoadOptions(d, dtype, maxBatch, contextLength, kvCache); }
    public LoadOptions withDtype(String d) { return new LoadOptions(device, d, maxBatch, contextLength, kvCache); }
    public LoadOptions withMaxBatch(int b) { return new LoadOptions(device, dtype, b, contextLength, kvCache); }
    public LoadOptions withContextLength(int c) { return new LoadOptions(device, dtype, maxBatch, c, kvCache); }
    public LoadOptions withKvCache(String k) { return new LoadOptions(device, dtype, maxBatch, contextLength, k); }
}
