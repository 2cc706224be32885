package dev.dca.runtime.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DecodeStep}: the Llama block over a few rows, top to bottom, on the JDK Vector API. It computes what
 * {@link LlamaDecoder#forward} computes (same fused weights, rotate-half RoPE, grouped heads, q scaled by
 * 1/sqrt(hd) in its weights or here) and reads and writes the same KV cache memory; the matmuls go to
 * {@link DecodeMatMul}, which splits them over the cores, and attention is split by (row, kv head). The rest is
 * O(rows x D) per layer, small next to streaming the weights.
 */
final class VectorDecodeStep implements DecodeStep {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final Weights w;
    private final DecodeMatMul matmul;
    private final int d, h, kv, g, hd, half, inter, vocab, qkvOut;

    VectorDecodeStep(Weights weights, DecodeMatMul matmul) {
        this.w = weights;
        this.matmul = matmul;
        this.d = weights.dim();
        this.h = weights.heads();
        this.kv = weights.kvHeads();
        this.g = h / kv;
        this.hd = weights.headDim();
        this.half = weights.rotaryDim() / 2;
        this.inter = weights.intermediate();
        this.vocab = weights.vocab();
        this.qkvOut = (h + 2 * kv) * hd;
    }

    @Override
    public float[] run(int[] tokens, int[] slots, int[] positions, int[] logitRows, CacheViews cache) {
        int rows = tokens.length;
        float[] x = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            if (tokens[r] < 0 || tokens[r] >= vocab) throw new IllegalArgumentException("token id " + tokens[r] + " outside the vocabulary (" + vocab + ")");
            matmul.row(w.embed(), d, tokens[r], x, r * d);
        }
        float[] cos = new float[rows * half], sin = new float[rows * half];
        w.rope().fill(positions, cos, sin);
        long cap = cache.capacity();

        for (int l = 0; l < w.layers().length; l++) {
            Layer layer = w.layers()[l];
            MemorySegment keys = MemorySegment.ofBuffer(cache.k()[l]), values = MemorySegment.ofBuffer(cache.v()[l]);
            // attention: qkv = rmsnorm(x) Wqkv^T (+ bias), per row [H q heads | KV k heads | KV v heads] x hd
            float[] qkv = mul(layer.qkv(), qkvOut, d, rmsNorm(x, rows, d, layer.attnNorm()), rows, layer.qkvBias());
            float[] att = new float[rows * h * hd];
            for (int r = 0; r < rows; r++) {
                int base = r * qkvOut;
                if (w.queryScale() != 1f) for (int i = base; i < base + h * hd; i++) qkv[i] *= w.queryScale();
                for (int head = 0; head < h + kv; head++) {
                    int at = base + head * hd;
                    if (layer.qkNorm() != null) rmsNormInPlace(qkv, at, hd, layer.qkNorm(), head * hd); // Qwen3, before RoPE
                    rope(qkv, at, cos, sin, r * half);
                }
                // this token's key and value into the cache at [slot, kvHead, position, :]
                for (int kh = 0; kh < kv; kh++) {
                    long off = (((long) slots[r] * kv + kh) * cap + positions[r]) * hd * Float.BYTES;
                    MemorySegment.copy(qkv, base + (h + kh) * hd, keys, FLOAT, off, hd);
                    MemorySegment.copy(qkv, base + (h + kv + kh) * hd, values, FLOAT, off, hd);
                }
            }
            // softmax(q k^T) v over positions [0, position + 1) for each query head; one task per (row, kv head),
            // whose keys are read once for its group of query heads
            Workers.forRange(rows * kv, (from, to) -> {
                for (int task = from; task < to; task++) {
                    int r = task / kv, kh = task % kv;
                    long head0 = ((long) slots[r] * kv + kh) * cap * hd * Float.BYTES;
                    attend(qkv, r * qkvOut + kh * g * hd, keys, values, head0, positions[r] + 1, att, (r * h + kh * g) * hd);
                }
            });
            add(x, mul(layer.o(), h * hd, att, rows));
            // SwiGLU MLP: down(silu(gate) * up)
            float[] gu = mul(layer.gateUp(), 2 * inter, d, rmsNorm(x, rows, d, layer.ffnNorm()), rows, null);
            float[] act = new float[rows * inter];
            for (int r = 0; r < rows; r++) silu(gu, r * 2 * inter, act, r * inter);
            add(x, mul(layer.down(), inter, act, rows));
        }
        float[] last = new float[logitRows.length * d];
        for (int i = 0; i < logitRows.length; i++) System.arraycopy(x, logitRows[i] * d, last, i * d, d);
        return mul(w.lmHead(), d, rmsNorm(last, logitRows.length, d, w.finalNorm()), logitRows.length);
    }

    private float[] mul(Matrix m, int in, float[] x, int rows) {
        return matmul.multiply(m, in, x, rows, null);
    }

    /** x times parts whose outputs follow each other ([rows, out], out = the parts' rows), plus bias. */
    private float[] mul(Matrix[] parts, int out, int in, float[] x, int rows, float[] bias) {
        if (parts.length == 1) return matmul.multiply(parts[0], in, x, rows, bias);
        float[] y = new float[rows * out];
        int at = 0;
        for (Matrix p : parts) {
            float[] part = matmul.multiply(p, in, x, rows, null);
            for (int r = 0; r < rows; r++) System.arraycopy(part, r * p.rows(), y, r * out + at, p.rows());
            at += p.rows();
        }
        if (bias != null) for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) y[r * out + o] += bias[o];
        return y;
    }

    /** x * rsqrt(mean(x^2) + eps) * weight per row of n. */
    private float[] rmsNorm(float[] x, int rows, int n, float[] weight) {
        float[] out = x.clone();
        for (int r = 0; r < rows; r++) rmsNormInPlace(out, r * n, n, weight, 0);
        return out;
    }

    private void rmsNormInPlace(float[] x, int at, int n, float[] weight, int w0) {
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (double) x[at + i] * x[at + i];
        float inv = (float) (1 / Math.sqrt(ss / n + w.rmsEps()));
        for (int i = 0; i < n; i++) x[at + i] = x[at + i] * inv * weight[w0 + i];
    }

    /** Rotate-half RoPE on one head: pair (j, j + half) turns by the row's angle j; dims past 2 half stay. */
    private void rope(float[] x, int at, float[] cos, float[] sin, int c0) {
        for (int j = 0; j < half; j++) {
            float a = x[at + j], b = x[at + j + half], c = cos[c0 + j], s = sin[c0 + j];
            x[at + j] = a * c - b * s;
            x[at + j + half] = b * c + a * s;
        }
    }

    /** The g query heads at q[q0..] against one kv head's first len positions (from byte offset head0); into out[o0..]. */
    private void attend(float[] q, int q0, MemorySegment keys, MemorySegment values, long head0, int len, float[] out, int o0) {
        float[] scores = new float[g * len];
        long rowBytes = (long) hd * Float.BYTES;
        for (int h0 = 0; h0 < g; h0 += 4) scores(q, q0, h0, Math.min(4, g - h0), keys, head0, len, scores);
        for (int gi = 0; gi < g; gi++) {
            int s0 = gi * len;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < len; p++) max = Math.max(max, scores[s0 + p]);
            float sum = expShifted(scores, s0, s0 + len, max);
            float norm = 1 / sum;
            for (int p = 0; p < len; p++) scores[s0 + p] *= norm;
        }
        for (int gi = 0; gi < g; gi++) weightedValues(scores, gi * len, len, values, head0, out, o0 + gi * hd);
    }

    /**
     * out[o0 + i] = sum over p < len of w[w0 + p] * V[p][i], V's rows (hd values) from byte offset head0. Four
     * vectors of the head's values are summed in registers over every position before one store: adding each
     * position into out instead (load, FMA, store per vector) made every position wait for the previous one's stores.
     */
    private void weightedValues(float[] w, int w0, int len, MemorySegment values, long head0, float[] out, int o0) {
        int lanes = F.length(), bound = F.loopBound(hd), i = 0;
        long rowBytes = (long) hd * Float.BYTES, vb = (long) lanes * Float.BYTES;
        for (; i + 4 * lanes <= bound; i += 4 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            long at = head0 + (long) i * Float.BYTES;
            for (int p = 0; p < len; p++, at += rowBytes) {
                FloatVector s = FloatVector.broadcast(F, w[w0 + p]);
                a0 = FloatVector.fromMemorySegment(F, values, at, ByteOrder.nativeOrder()).fma(s, a0);
                a1 = FloatVector.fromMemorySegment(F, values, at + vb, ByteOrder.nativeOrder()).fma(s, a1);
                a2 = FloatVector.fromMemorySegment(F, values, at + 2 * vb, ByteOrder.nativeOrder()).fma(s, a2);
                a3 = FloatVector.fromMemorySegment(F, values, at + 3 * vb, ByteOrder.nativeOrder()).fma(s, a3);
            }
            a0.intoArray(out, o0 + i);
            a1.intoArray(out, o0 + i + lanes);
            a2.intoArray(out, o0 + i + 2 * lanes);
            a3.intoArray(out, o0 + i + 3 * lanes);
        }
        for (; i < bound; i += lanes) {
            FloatVector a = FloatVector.zero(F);
            long at = head0 + (long) i * Float.BYTES;
            for (int p = 0; p < len; p++, at += rowBytes) a = FloatVector.fromMemorySegment(F, values, at, ByteOrder.nativeOrder()).fma(FloatVector.broadcast(F, w[w0 + p]), a);
            a.intoArray(out, o0 + i);
        }
        for (; i < hd; i++) {
            float sum = 0;
            for (int p = 0; p < len; p++) sum += w[w0 + p] * values.get(FLOAT, head0 + p * rowBytes + (long) i * Float.BYTES);
            out[o0 + i] = sum;
        }
    }

    /** out[o0 + i] = silu(gate[i]) * up[i] for i < I, where gate = gu[g0..] and up follows it. */
    private void silu(float[] gu, int g0, float[] out, int o0) {
        int bound = F.loopBound(inter), i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector gate = FloatVector.fromArray(F, gu, g0 + i);
            gate.div(gate.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(F, gu, g0 + inter + i)).intoArray(out, o0 + i);
        }
        for (; i < inter; i++) {
            float gate = gu[g0 + i];
            out[o0 + i] = gate / (1f + (float) Math.exp(-gate)) * gu[g0 + inter + i];
        }
    }

    /** a[from..to) = exp(a - max), returning their sum. */
    private static float expShifted(float[] a, int from, int to, float max) {
        int n = to - from, bound = F.loopBound(n), i = 0;
        FloatVector sum = FloatVector.zero(F);
        for (; i < bound; i += F.length()) {
            FloatVector e = FloatVector.fromArray(F, a, from + i).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(a, from + i);
            sum = sum.add(e);
        }
        float s = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[from + i] = (float) Math.exp(a[from + i] - max);
        return s;
    }

    /**
     * scores[h * len + p] = q_h . K[p] for the {@code hn <= 4} query heads h0.. of one kv head (query head h at
     * q[q0 + h * hd..]) and positions p < len (key rows from byte offset head0). Each chunk of a key row is loaded once
     * and meets up to four heads (four independent FMA chains): one dot product per (position, head) reloaded the key
     * and waited on its own chain, 4.2-5.5 us per call of 3 heads x 158 positions against 2.0-2.1 this way (hd 64,
     * keys in cache; 16 and 8 lanes).
     */
    private void scores(float[] q, int q0, int h0, int hn, MemorySegment keys, long head0, int len, float[] scores) {
        long rowBytes = (long) hd * Float.BYTES;
        int lanes = F.length(), bound = F.loopBound(hd);
        // heads past hn repeat the last one; their sums are not stored
        int qa = q0 + h0 * hd, qb = q0 + (h0 + Math.min(1, hn - 1)) * hd, qc = q0 + (h0 + Math.min(2, hn - 1)) * hd,
                qd = q0 + (h0 + Math.min(3, hn - 1)) * hd;
        for (int p = 0; p < len; p++) {
            long k = head0 + p * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < bound; i += lanes) {
                FloatVector kv = FloatVector.fromMemorySegment(F, keys, k + (long) i * Float.BYTES, ByteOrder.nativeOrder());
                a0 = kv.fma(FloatVector.fromArray(F, q, qa + i), a0);
                a1 = kv.fma(FloatVector.fromArray(F, q, qb + i), a1);
                a2 = kv.fma(FloatVector.fromArray(F, q, qc + i), a2);
                a3 = kv.fma(FloatVector.fromArray(F, q, qd + i), a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
            for (int i = bound; i < hd; i++) {
                float kf = keys.get(FLOAT, k + (long) i * Float.BYTES);
                s0 += q[qa + i] * kf;
                s1 += q[qb + i] * kf;
                s2 += q[qc + i] * kf;
                s3 += q[qd + i] * kf;
            }
            scores[h0 * len + p] = s0;
            if (hn > 1) scores[(h0 + 1) * len + p] = s1;
            if (hn > 2) scores[(h0 + 2) * len + p] = s2;
            if (hn > 3) scores[(h0 + 3) * len + p] = s3;
        }
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }
}
