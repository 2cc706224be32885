package dev.dca.runtime.engine;

import dev.dca.runtime.gguf.GgmlType;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import dev.dca.runtime.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The Llama-family decoder (Llama 2/3, Mistral, Qwen2, Qwen3, SmolLM) on DJL NDArrays: one forward pass over
 * {@code B} rows of {@code T} new tokens each, reading and extending a {@link KvCache}.
 *
 * <p>Notation: B rows, T new tokens per row, D hidden, H query heads, KV key/value heads, G = H / KV, hd head dim,
 * I intermediate, V vocab, L attended positions. Everything is F32 (see {@link LlamaWeights} on BF16).
 */
final class LlamaDecoder {

    final ModelConfig config;
    final LlamaWeights weights;
    private final Rope rope;
    private final int h, kv, g, hd, half;
    private final NDArray rotateHalf; // [hd, hd]: x @ rotateHalf = cat(-x2, x1, 0) (rotate-half as one matmul)
    // prebuilt indices: parsing NDIndex strings per op per layer costs more than the op on small models
    private final NDIndex qkPart, vPart, qPart, kPart, gatePart, upPart;
    /** Decode steps (a few rows) multiply outside PyTorch when this JVM can; see {@link DecodeMatMul}. */
    private static final DecodeMatMul SMALL = DecodeMatMul.vectorApi().orElse(null);
    /** F32 weight matrices, as views of their own memory, for {@link #SMALL}; empty without it. */
    private final Map<NDArray, ByteBuffer> inPlace = new IdentityHashMap<>();
    private final Map<NDArray, float[]> biases = new IdentityHashMap<>();
    /** Whole decode steps outside PyTorch when the weights allow; see {@link DecodeStep}. Null: PyTorch only. */
    private final DecodeStep step;
    /** Weights held as BF16 or as stored: prefill runs on {@link #step} too. */
    private final boolean javaOnly;
    private final DecodeStep.Hold held;
    /**
     * PyTorch's intra-op threads as configured, and as set now. Decode steps drop PyTorch to one thread: its OpenMP
     * workers spin-wait between ops and would take the cores {@link #SMALL} splits the weights over (measured: 16 vs
     * 26 tokens/s at batch 1). Prefill, compute-bound, gets them back.
     */
    private final int torchThreads = JniUtils.getNumThreads();
    private int torchThreadsNow = torchThreads;

    LlamaDecoder(ModelConfig config, LlamaWeights weights) {
        this(config, weights, true);
    }

    /**
     * @param javaDecodeStep whether decode steps may run on {@link DecodeStep} (tests compare it with PyTorch). Weights
     *     held as BF16 or as stored ({@link LlamaWeights#held}) run every pass there whatever this says, since DJL's
     *     PyTorch has neither BF16 nor quantized matmuls; they need {@link #javaKernels()}.
     */
    LlamaDecoder(ModelConfig config, LlamaWeights weights, boolean javaDecodeStep) {
        this.config = config;
        this.weights = weights;
        this.rope = new Rope(config, weights.ropeFreqDivisors);
        this.h = config.numHeads();
        this.kv = config.numKvHeads();
        this.g = h / kv;
        this.hd = config.headDim();
        this.half = config.rotaryDim() / 2;
        float[] r = new float[hd * hd];
        for (int j = 0; j < half; j++) {
            r[(j + half) * hd + j] = -1; // out[j] = -x[j + half]
            r[j * hd + j + half] = 1; //    out[j + half] = x[j]
        }
        this.rotateHalf = weights.manager.create(r, new Shape(hd, hd));
        int inter = config.intermediateSize();
        this.qkPart = new NDIndex().addAllDim().addAllDim().addSliceDim(0, h + kv).addAllDim();
        this.vPart = new NDIndex().addAllDim().addAllDim().addSliceDim(h + kv, h + 2 * kv).addAllDim();
        this.qPart = new NDIndex().addAllDim().addAllDim().addSliceDim(0, h).addAllDim();
        this.kPart = new NDIndex().addAllDim().addAllDim().addSliceDim(h, h + kv).addAllDim();
        this.gatePart = new NDIndex().addAllDim().addAllDim().addSliceDim(0, inter);
        this.upPart = new NDIndex().addAllDim().addAllDim().addSliceDim(inter, 2L * inter);
        if (SMALL != null && weights.held == DecodeStep.Hold.F32) {
            for (LlamaWeights.Layer w : weights.layers) {
                for (NDArray a : new NDArray[] {w.qkv(), w.o(), w.gateUp(), w.down()}) view(a);
                if (w.qkvBias() != null) biases.put(w.qkvBias(), w.qkvBias().toFloatArray());
            }
            view(weights.lmHead);
            view(weights.embed);
        }
        this.held = weights.held;
        this.javaOnly = held != DecodeStep.Hold.F32;
        if (!javaOnly && weights.queryScale != 1f) throw new IllegalArgumentException("the PyTorch path needs 1/sqrt(hd) folded into q");
        if (javaOnly && !javaKernels()) throw new IllegalStateException(held + " needs the Java 22+ decode kernels");
        this.step = !javaKernels() || !(javaDecodeStep || javaOnly) ? null : decodeStep();
        if (javaOnly && step == null) throw new IllegalStateException(held + ": the Java decode step is not available");
    }

    /** Whether this JVM runs the Java kernels (Java 22 layer present, Vector API module added, not turned off). */
    static boolean javaKernels() {
        return SMALL != null && !Boolean.getBoolean("dca.decode.torch");
    }

    /**
     * Parts of one type joined as the Java kernels read them fastest ({@link DecodeMatMul#pack}), or null when they
     * keep them row-major.
     */
    static DecodeStep.Matrix packed(GgmlType type, java.util.List<ByteBuffer> parts, int[] rows, int in) {
        return SMALL == null ? null : SMALL.pack(type, parts, rows, in);
    }

    /** Whether the Java kernels lay matrices of {@code type} out in panels ({@link DecodeMatMul#packs}). */
    static boolean packs(GgmlType type) {
        return javaKernels() && SMALL.packs(type);
    }

    /** How the matrices are held. */
    DecodeStep.Hold held() {
        return held;
    }

    /** Whether one-token steps of at most {@link DecodeMatMul#MAX_ROWS} rows run on {@link DecodeStep}. */
    boolean hasJavaDecodeStep() {
        return step != null;
    }

    /**
     * The Java decode step over the matrices as held: views of the F32 tensors, or the buffers the weights were loaded
     * into. Null when an F32 tensor has no view.
     */
    private DecodeStep decodeStep() {
        DecodeStep.Layer[] layers = new DecodeStep.Layer[weights.layers.length];
        for (int l = 0; l < layers.length; l++) {
            LlamaWeights.Layer w = weights.layers[l];
            LlamaWeights.HeldLayer m = javaOnly ? weights.heldLayers[l]
                    : new LlamaWeights.HeldLayer(new DecodeStep.Matrix[] {f32(w.qkv())}, f32(w.o()), new DecodeStep.Matrix[] {f32(w.gateUp())}, f32(w.down()));
            if (m.qkv()[0] == null || m.o() == null || m.gateUp()[0] == null || m.down() == null) return null;
            layers[l] = new DecodeStep.Layer(w.attnNorm().toFloatArray(), m.qkv(), w.qkvBias() == null ? null : biases.computeIfAbsent(w.qkvBias(), NDArray::toFloatArray),
                    w.qkNorm() == null ? null : w.qkNorm().toFloatArray(), m.o(), w.ffnNorm().toFloatArray(), m.gateUp(), m.down());
        }
        DecodeStep.Matrix embed = javaOnly ? weights.heldEmbed : f32(weights.embed);
        DecodeStep.Matrix head = javaOnly ? weights.heldHead : f32(weights.lmHead);
        if (embed == null || head == null) return null;
        return DecodeStep.vectorApi(new DecodeStep.Weights(config.hiddenSize(), h, kv, hd, config.rotaryDim(), config.intermediateSize(),
                config.vocabSize(), (float) config.rmsNormEps(), weights.queryScale, embed, layers, weights.finalNorm.toFloatArray(),
                head, rope), SMALL).orElse(null);
    }

    /** An F32 tensor's view as a matrix, or null without one. */
    private DecodeStep.Matrix f32(NDArray a) {
        ByteBuffer b = inPlace.get(a);
        return b == null ? null : new DecodeStep.Matrix(GgmlType.F32, b, Math.toIntExact(a.getShape().get(0)));
    }

    /** The tensor's own memory (no copy), when it is a contiguous F32 CPU matrix. */
    private void view(NDArray a) {
        if (a.getDataType() != DataType.FLOAT32 || !Device.Type.CPU.equals(a.getDevice().getDeviceType())) return;
        ByteBuffer b = a.toByteBuffer(true);
        if (b.isDirect() && b.capacity() == a.size() * Float.BYTES) inPlace.put(a, b.order(ByteOrder.nativeOrder()));
    }

    /**
     * One decode step of {@code rows} rows (one token each, row b in cache slot b at position {@code start[b]}): the
     * last position's logits [rows, V] as a Java array. When the step runs in Java the logits stay a Java array: their
     * round trip through a PyTorch tensor cost 0.5-0.7 ms per step at SmolLM2-135M's 49k vocabulary (alternating
     * builds, batch 1 and 8).
     */
    float[] decodeStep(NDManager m, KvCache cache, int[] tokens, int rows, int[] start) {
        checkFits(cache, rows, 1, 0, start);
        float[] java = javaStep(cache, tokens, rows, 1, 0, start, false);
        return java != null ? java : forward(m, cache, tokens, rows, 1, 0, start, false).toFloatArray();
    }

    /** PyTorch's intra-op threads, changed only when they differ (the JNI call is not free). */
    private void setTorchThreads(int threads) {
        if (threads == torchThreadsNow) return;
        JniUtils.setNumThreads(threads);
        torchThreadsNow = threads;
    }

    /** The furthest row's start, after checking that B rows of T new tokens fit the cache from slot {@code slot0}. */
    private static int checkFits(KvCache cache, int b, int t, int slot0, int[] start) {
        int maxStart = 0;
        for (int s : start) maxStart = Math.max(maxStart, s);
        if (maxStart + t > cache.capacity || slot0 + b > cache.slots) throw new IllegalStateException("KV cache too small for this step");
        return maxStart;
    }

    /**
     * {@link #forward} on {@link #step} when it takes this pass (null when PyTorch must run it), as flat logits. The
     * caller has checked that the rows fit the cache.
     */
    private float[] javaStep(KvCache cache, int[] tokens, int b, int t, int slot0, int[] start, boolean allPositions) {
        if (step == null || !(javaOnly || (t == 1 && b <= DecodeMatMul.MAX_ROWS))) return null;
        DecodeStep.CacheViews views = cache.views();
        if (views == null && javaOnly) throw new IllegalStateException(held + ": the KV cache's memory is not reachable from Java");
        if (views == null) return null;
        setTorchThreads(1);
        int n = b * t;
        int[] slots = new int[n], positions = new int[n], logitRows = new int[allPositions ? n : b];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                slots[r * t + i] = slot0 + r;
                positions[r * t + i] = start[r] + i;
                if (allPositions) logitRows[r * t + i] = r * t + i;
            }
            if (!allPositions) logitRows[r] = r * t + t - 1;
        }
        return step.run(tokens, slots, positions, logitRows, views);
    }

    /**
     * Runs {@code tokens} (row-major [B][T]) through the model. Row b sits in cache slot {@code slot0 + b}; its new
     * tokens take positions {@code start[b] .. start[b] + T - 1}, whose keys and values are written to the cache.
     * Rows with different starts need {@code T == 1}.
     *
     * @param allPositions logits for every new token, or only for each row's last
     * @return logits [B, T or 1, V] in F32, owned by {@code m}
     */
    NDArray forward(NDManager m, KvCache cache, int[] tokens, int batch, int steps, int slot0, int[] start, boolean allPositions) {
        int b = batch, t = steps;
        boolean sameStart = true;
        for (int s : start) sameStart &= s == start[0];
        if (!sameStart && t != 1) throw new IllegalArgumentException("rows with different positions must decode one token each");
        int len = checkFits(cache, b, t, slot0, start) + t; // L: keys attended by the furthest row
        setTorchThreads(javaOnly || (SMALL != null && !inPlace.isEmpty() && b * t <= DecodeMatMul.MAX_ROWS) ? 1 : torchThreads);

        float[] java = javaStep(cache, tokens, b, t, slot0, start, allPositions);
        if (java != null) return m.create(java, new Shape(b, allPositions ? t : 1, config.vocabSize()));

        // positions, rotary cos/sin [B, T, 1, rotaryDim/2] and the additive causal mask [B, 1, 1, T, L]
        int[] pos = new int[b * t];
        for (int r = 0; r < b; r++) for (int i = 0; i < t; i++) pos[r * t + i] = start[r] + i;
        NDArray[] cosSin = rotaryTables(m, pos, b, t);
        NDArray cos = cosSin[0], sin = cosSin[1];
        NDArray mask = causalMask(m, start, b, t, len);
        NDIndex cacheRows = new NDIndex().addSliceDim(slot0, slot0 + b).addAllDim().addSliceDim(0, len).addAllDim();

        // x = embed[tokens]                                                  [B, T, D]
        long[] ids = new long[tokens.length];
        for (int i = 0; i < ids.length; i++) ids[i] = tokens[i];
        NDArray x = weights.embed.get(m, new NDIndex("{}", m.create(ids))).toType(DataType.FLOAT32, false)
                .reshape(b, t, config.hiddenSize());

        for (int l = 0; l < weights.layers.length; l++) {
            LlamaWeights.Layer w = weights.layers[l];
            // attention: qkv = rmsnorm(x) Wqkv^T (+ bias)                   [B, T, H + 2 KV, hd]
            NDArray qkv = linear(rmsNorm(x, w.attnNorm()), w.qkv(), w.qkvBias()).reshape(b, t, h + 2 * kv, hd);
            NDArray qk = qkv.get(qkPart); //                                 [B, T, H + KV, hd]
            NDArray v = t == 1 ? qkv.get(vPart).reshape(b, kv, 1, hd) : qkv.get(vPart).transpose(0, 2, 1, 3); // [B, KV, T, hd]
            if (w.qkNorm() != null) qk = rmsNorm(qk, w.qkNorm()); //         Qwen3: per-head RMSNorm before RoPE
            qk = qk.mul(cos).add(qk.matMul(rotateHalf).mul(sin)); //         RoPE, rotate-half form
            // q (already scaled by 1/sqrt(hd) in its weights), grouped by kv head [B, KV, G * T, hd]; T == 1 needs no transpose
            NDArray q = t == 1 ? qk.get(qPart).reshape(b, kv, g, hd)
                    : qk.get(qPart).reshape(b, t, kv, g, hd).transpose(0, 2, 3, 1, 4).reshape(b, kv, g * t, hd);
            NDArray k = t == 1 ? qk.get(kPart).reshape(b, kv, 1, hd) : qk.get(kPart).transpose(0, 2, 1, 3); // [B, KV, T, hd]
            write(cache.k[l], k, slot0, start, sameStart, b, t, m);
            write(cache.v[l], v, slot0, start, sameStart, b, t, m);
            NDArray keys = cache.k[l].get(m, cacheRows); //                  [B, KV, L, hd] (view)
            NDArray values = cache.v[l].get(m, cacheRows);
            // softmax(q k^T + mask) v                                       [B, KV, G * T, hd]
            NDArray scores = q.matMul(keys.transpose(0, 1, 3, 2));
            if (mask != null) scores = scores.reshape(b, kv, g, t, len).add(mask).reshape(b, kv, g * t, len);
            NDArray att = scores.softmax(-1).matMul(values); //              [B, KV, G * T, hd]
            att = t == 1 ? att.reshape(b, 1, h * hd) : att.reshape(b, kv, g, t, hd).transpose(0, 3, 1, 2, 4).reshape(b, t, h * hd);
            x = x.add(linear(att, w.o(), null));
            // SwiGLU MLP: down(silu(gate) * up)                             [B, T, D]
            NDArray gu = linear(rmsNorm(x, w.ffnNorm()), w.gateUp(), null); // [B, T, 2 I]
            NDArray gate = gu.get(gatePart);
            NDArray act = gate.mul(ai.djl.nn.Activation.sigmoid(gate)).mul(gu.get(upPart));
            x = x.add(linear(act, w.down(), null));
        }
        if (!allPositions && t > 1) x = x.get(new NDIndex().addAllDim().addSliceDim(t - 1, t).addAllDim()); // [B, 1, D]
        return linear(rmsNorm(x, weights.finalNorm), weights.lmHead, null); // [B, T or 1, V]
    }

    /** x * rsqrt(mean(x^2) + eps) * w over the last axis, in F32 (as transformers does). */
    private NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray inv = x.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).sqrt();
        return x.div(inv).mul(w);
    }

    /**
     * cos and sin per position, laid out over a whole head [B, T, 1, hd]: each rotary frequency for both halves of
     * the rotated dims, then cos 1 / sin 0 for the dims partial rotary leaves alone, so that
     * {@code x * cos + (x @ rotateHalf) * sin} is RoPE for any rotaryDim <= hd.
     */
    private NDArray[] rotaryTables(NDManager m, int[] pos, int b, int t) {
        float[] c = new float[pos.length * half], s = new float[pos.length * half];
        rope.fill(pos, c, s);
        float[] cos = new float[pos.length * hd], sin = new float[pos.length * hd];
        for (int p = 0; p < pos.length; p++) {
            for (int j = 0; j < half; j++) {
                cos[p * hd + j] = cos[p * hd + j + half] = c[p * half + j];
                sin[p * hd + j] = sin[p * hd + j + half] = s[p * half + j];
            }
            for (int j = 2 * half; j < hd; j++) cos[p * hd + j] = 1;
        }
        return new NDArray[] {m.create(cos, new Shape(b, t, 1, hd)), m.create(sin, new Shape(b, t, 1, hd))};
    }

    /** x W^T + b: few rows (decoding) on {@link #SMALL}, the rest on PyTorch. */
    private NDArray linear(NDArray x, NDArray w, NDArray bias) {
        ByteBuffer segment = inPlace.get(w);
        Shape shape = x.getShape();
        long in = shape.get(shape.dimension() - 1), rows = shape.size() / in;
        if (segment == null || rows > DecodeMatMul.MAX_ROWS) return Linear.linear(x, w, bias).singletonOrThrow();
        int out = (int) w.getShape().get(0);
        float[] y = SMALL.multiply(segment, out, (int) in, x.toFloatArray(), (int) rows, bias == null ? null : biases.get(bias));
        long[] dims = shape.getShape().clone();
        dims[dims.length - 1] = out;
        return x.getManager().create(y, new Shape(dims));
    }

    /** Writes new keys/values [B, KV, T, hd] at each row's positions, in place. */
    private static void write(NDArray cache, NDArray x, int slot0, int[] start, boolean sameStart, int b, int t, NDManager m) {
        if (sameStart) {
            cache.set(new NDIndex().addSliceDim(slot0, slot0 + b).addAllDim().addSliceDim(start[0], start[0] + t).addAllDim(), x);
            return;
        }
        // one token per row at different positions: cache[slot0 + r, :, start[r], :] = x[r, :, 0, :]
        long[] rows = new long[b], cols = new long[b];
        for (int r = 0; r < b; r++) {
            rows[r] = slot0 + r;
            cols[r] = start[r];
        }
        cache.set(new NDIndex("{}, :, {}", m.create(rows), m.create(cols)), x.squeeze(2));
    }

    /** 0 where row r's token i may attend position j (j <= start[r] + i), -inf elsewhere; null when nothing is hidden. */
    private static NDArray causalMask(NDManager m, int[] start, int b, int t, int len) {
        boolean needed = false;
        for (int r = 0; r < b && !needed; r++) needed = start[r] + t < len || t > 1;
        if (!needed) return null;
        float[] mask = new float[b * t * len];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int limit = start[r] + i;
                for (int j = limit + 1; j < len; j++) mask[(r * t + i) * len + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(mask, new Shape(b, 1, 1, t, len));
    }
}
