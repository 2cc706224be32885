package dev.dca.foundry.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * A Llama decoder written for training with DJL autograd: RMSNorm, rotary embeddings in the Hugging Face
 * rotate-half layout, grouped-query attention, SwiGLU, tied input/output embedding. Parameters carry their
 * Hugging Face names and {@code [out, in]} shapes, so exporting is writing them out as they are.
 *
 * <p>Every operation takes a per-step array as its first operand (weights enter through {@code linear} and
 * {@code embedding}), so the results belong to the step's manager and are freed with it; only parameters live in
 * the long-lived manager.
 */
public final class TrainableLlama {

    private final TrainConfig config;
    private final Map<String, NDArray> params; // HF name -> weight, insertion order = export order

    private TrainableLlama(TrainConfig config, Map<String, NDArray> params) {
        this.config = config;
        this.params = params;
    }

    /** Fresh weights: N(0, 0.02), the residual output projections scaled by 1/sqrt(2 layers) (GPT-2); norms 1. */
    public static TrainableLlama initialize(TrainConfig c, int vocabSize, NDManager manager) {
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(c.seed());
        int d = c.hiddenSize(), kv = c.numKvHeads() * c.headDim(), ff = c.intermediateSize();
        double residual = 0.02 / Math.sqrt(2.0 * c.numLayers());
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("model.embed_tokens.weight", normal(manager, random, 0.02, vocabSize, d));
        for (int l = 0; l < c.numLayers(); l++) {
            String n = "model.layers." + l + ".";
            p.put(n + "input_layernorm.weight", manager.ones(new Shape(d)));
            p.put(n + "self_attn.q_proj.weight", normal(manager, random, 0.02, d, d));
            p.put(n + "self_attn.k_proj.weight", normal(manager, random, 0.02, kv, d));
            p.put(n + "self_attn.v_proj.weight", normal(manager, random, 0.02, kv, d));
            p.put(n + "self_attn.o_proj.weight", normal(manager, random, residual, d, d));
            p.put(n + "post_attention_layernorm.weight", manager.ones(new Shape(d)));
            p.put(n + "mlp.gate_proj.weight", normal(manager, random, 0.02, ff, d));
            p.put(n + "mlp.up_proj.weight", normal(manager, random, 0.02, ff, d));
            p.put(n + "mlp.down_proj.weight", normal(manager, random, residual, d, ff));
        }
        p.put("model.norm.weight", manager.ones(new Shape(d)));
        p.values().forEach(a -> a.setRequiresGradient(true));
        return new TrainableLlama(c, p);
    }

    /** Copies weights read back from a checkpoint into this model's parameters (names and shapes must match). */
    public void load(Map<String, NDArray> saved) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray src = saved.get(e.getKey());
            if (src == null) throw new IllegalArgumentException("checkpoint lacks " + e.getKey());
            if (!src.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("checkpoint " + e.getKey() + " has shape " + src.getShape() + ", model needs " + e.getValue().getShape());
            }
            e.getValue().set(src.toFloatArray());
        }
    }

    private static NDArray normal(NDManager m, RandomGenerator r, double std, long rows, long cols) {
        // drawn in Java so a seed gives the same weights on every engine and thread count
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
        return m.create(v, new Shape(rows, cols));
    }

    public Map<String, NDArray> parameters() {
        return params;
    }

    public long parameterCount() {
        return params.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    private NDArray w(String name) {
        return params.get(name);
    }

    /**
     * Logits for every position.
     *
     * @param ids [B, T] int64 token ids, in the step's manager
     * @return [B, T, V]
     */
    public NDArray forward(NDArray ids) {
        NDManager m = ids.getManager();
        long batch = ids.getShape().get(0), t = ids.getShape().get(1);
        int heads = config.numHeads(), kvHeads = config.numKvHeads(), hd = config.headDim(), group = heads / kvHeads;
        NDArray[] rope = ropeTables(m, t, hd);
        NDArray cos = rope[0], sin = rope[1];                                                  // [T, hd]
        NDArray mask = causalMask(m, t);                                                       // [T, T]
        NDArray embed = w("model.embed_tokens.weight");                                       // [V, D]

        NDArray x = ids.getNDArrayInternal().embedding(ids, embed, SparseFormat.DENSE).head(); // [B, T, D]
        for (int l = 0; l < config.numLayers(); l++) {
            String n = "model.layers." + l + ".";
            // attention block: x += o(attn(rope(q), rope(k), v)) on the normed input
            NDArray h = rmsNorm(x, w(n + "input_layernorm.weight"));
            NDArray q = linear(h, w(n + "self_attn.q_proj.weight")).reshape(batch, t, heads, hd).transpose(0, 2, 1, 3);   // [B, H, T, hd]
            NDArray k = linear(h, w(n + "self_attn.k_proj.weight")).reshape(batch, t, kvHeads, hd).transpose(0, 2, 1, 3); // [B, KV, T, hd]
            NDArray v = linear(h, w(n + "self_attn.v_proj.weight")).reshape(batch, t, kvHeads, hd).transpose(0, 2, 1, 3);
            q = rotate(q, cos, sin);
            k = rotate(k, cos, sin);
            if (group > 1) { // GQA: query head i reads kv head i / group (Hugging Face repeat_kv)
                k = k.repeat(1, group);
                v = v.repeat(1, group);
            }
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(hd)).add(mask);        // [B, H, T, T]
            NDArray attn = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, t, (long) heads * hd);
            x = x.add(linear(attn, w(n + "self_attn.o_proj.weight")));
            // feed-forward block: x += down(silu(gate(h)) * up(h))
            h = rmsNorm(x, w(n + "post_attention_layernorm.weight"));
            NDArray gate = linear(h, w(n + "mlp.gate_proj.weight"));                                      // [B, T, F]
            NDArray up = linear(h, w(n + "mlp.up_proj.weight"));
            x = x.add(linear(gate.mul(Activation.sigmoid(gate)).mul(up), w(n + "mlp.down_proj.weight")));
        }
        x = rmsNorm(x, w("model.norm.weight"));
        return linear(x, embed);                                                                          // tied: [B, T, V]
    }

    /**
     * Mean cross-entropy over the positions where {@code mask} is 1.
     *
     * @param logits [B, T, V]
     * @param targets [B, T] int64, the next token of each position
     * @param mask [B, T] float32, 1 where the target is trained on
     */
    public static NDArray loss(NDArray logits, NDArray targets, NDArray mask) {
        NDArray logp = logits.logSoftmax(-1);
        NDArray picked = logp.gather(targets.expandDims(-1), -1).squeeze(-1);                // [B, T]
        return picked.mul(mask).sum().neg().div(mask.sum().maximum(1f));
    }

    private static NDArray linear(NDArray x, NDArray weight) {
        return x.getNDArrayInternal().linear(x, weight, null).head(); // x @ weight^T, weight [out, in]
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        return x.div(x.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).sqrt()).mul(weight);
    }

    /** Rotate-half RoPE: x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]. */
    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get("..., :" + half), x2 = x.get("..., " + half + ":");
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private NDArray[] ropeTables(NDManager m, long t, int hd) {
        float[] c = new float[Math.toIntExact(t * hd)], s = new float[c.length];
        for (int pos = 0; pos < t; pos++) {
            for (int i = 0; i < hd / 2; i++) {
                double freq = 1.0 / Math.pow(config.ropeTheta(), 2.0 * i / hd);
                double angle = pos * freq;
                c[pos * hd + i] = c[pos * hd + i + hd / 2] = (float) Math.cos(angle);
                s[pos * hd + i] = s[pos * hd + i + hd / 2] = (float) Math.sin(angle);
            }
        }
        return new NDArray[] {m.create(c, new Shape(t, hd)), m.create(s, new Shape(t, hd))};
    }

    private static NDArray causalMask(NDManager m, long t) {
        float[] v = new float[Math.toIntExact(t * t)];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) v[i * (int) t + j] = -1e9f;
        return m.create(v, new Shape(t, t)).toType(DataType.FLOAT32, false);
    }
}
