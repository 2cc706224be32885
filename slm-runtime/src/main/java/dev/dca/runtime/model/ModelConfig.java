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

    /**
     * Every tensor the decoder needs, by canonical name, with the shape these hyper-parameters imply (PyTorch
     * order); {@code rope_freqs.weight} is optional and not listed. Loaders check their files against this.
     */
    public java.util.Map<String, long[]> tensorShapes() {
        java.util.Map<String, long[]> m = new java.util.LinkedHashMap<>();
        long h = hiddenSize, ff = intermediateSize, q = (long) numHeads * headDim, kv = (long) numKvHeads * headDim;
        m.put("model.embed_tokens.weight", new long[] {vocabSize, h});
        m.put("model.norm.weight", new long[] {h});
        if (!tiedEmbeddings) m.put("lm_head.weight", new long[] {vocabSize, h});
        for (int l = 0; l < numLayers; l++) {
            String p = "model.layers." + l + ".";
            m.put(p + "input_layernorm.weight", new long[] {h});
            m.put(p + "post_attention_layernorm.weight", new long[] {h});
            m.put(p + "self_attn.q_proj.weight", new long[] {q, h});
            m.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            m.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            m.put(p + "self_attn.o_proj.weight", new long[] {h, q});
            m.put(p + "mlp.gate_proj.weight", new long[] {ff, h});
            m.put(p + "mlp.up_proj.weight", new long[] {ff, h});
            m.put(p + "mlp.down_proj.weight", new long[] {h, ff});
            if (attentionBias) {
                m.put(p + "self_attn.q_proj.bias", new long[] {q});
                m.put(p + "self_attn.k_proj.bias", new long[] {kv});
                m.put(p + "self_attn.v_proj.bias", new long[] {kv});
            }
            if (qkNorm) {
                m.put(p + "self_attn.q_norm.weight", new long[] {headDim});
                m.put(p + "self_attn.k_norm.weight", new long[] {headDim});
            }
        }
        return m;
    }

    private static String dims(int... d) {
        return java.util.Arrays.toString(d);
    }
}
