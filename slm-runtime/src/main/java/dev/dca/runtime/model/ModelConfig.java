package dev.dca.runtime.model;

/**
 * Hyper-parameters of a Llama-family decoder (Llama 2/3, Mistral, Qwen2, Qwen3, SmolLM), whatever file they came
 * from. Loaders fill it; the decoder reads nothing else.
 *
 * @param architecture e.g. {@code llama}, {@code qwen2}, {@code qwen3}
 * @param headDim may differ from hiddenSize / numHeads (Qwen3)
 * @param rotaryDim dimensions of each head that RoPE rotates (== headDim unless partial rotary)
 * @param ropeScaling llama3-style frequency scaling, or null
 * @param attentionBias q/k/v projections carry a bias (Qwen2)
 * @param qkNorm per-head RMSNorm on q and k before RoPE (Qwen3)
 * @param tiedEmbeddings the output projection is the token embedding
 */
public record ModelConfig(
        String architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        float ropeTheta,
        int rotaryDim,
        RopeScaling ropeScaling,
        boolean attentionBias,
        boolean qkNorm,
        boolean tiedEmbeddings) {

    /** Llama 3 rope_scaling ({@code rope_type: llama3}). */
    public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {}

    public ModelConfig {
        if (hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0
                || headDim <= 0 || vocabSize <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("model dimensions must be positive: " + dims(hiddenSize, intermediateSize,
                    numLayers, numHeads, numKvHeads, headDim, vocabSize, contextLength));
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("attention heads (" + numHeads + ") must be a multiple of kv heads (" + numKvHeads + ")");
        }
        if (rotaryDim <= 0 || rotaryDim > headDim || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("rotary dims must be even and in (0, headDim=" + headDim + "], got " + rotaryDim);
        }
    }

    private static String dims(int... d) {
        return java.util.Arrays.toString(d);
    }
}
