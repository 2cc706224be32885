package dev.dca.runtime.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    /** A BF16 key or value: little-endian, so that one 32-bit lane holds dims 2j (low half) and 2j + 1 (high half). */
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Weights w;
    private final DecodeMatMul matmul;
    private final int d, h, kv, g, hd, half, inter, vocab, qkvOut;
    /** Whether {@link #groupScoresBf16} applies: a BF16 key row widens to four float vectors, and there are 32 vector registers (16 lanes: AVX-512). */
    private final boolean bf16QueriesHeld;

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
        this.bf16QueriesHeld = hd == 4 * F.length() && F.length() >= 16;
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
        boolean bf16 = cache.bf16();
        long valueBytes = KvCache.valueBytes(bf16);

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
                    long off = (((long) slots[r] * kv + kh) * cap + positions[r]) * hd * valueBytes;
                    if (bf16) {
                        putBf16(qkv, base + (h + kh) * hd, keys, off);
                        putBf16(qkv, base + (h + kv + kh) * hd, values, off);
                    } else {
                        MemorySegment.copy(qkv, base + (h + kh) * hd, keys, FLOAT, off, hd);
                        MemorySegment.copy(qkv, base + (h + kv + kh) * hd, values, FLOAT, off, hd);
                    }
                }
            }
            // softmax(q k^T) v over positions [0, position + 1) for each query head; one task per (row, kv head),
            // whose keys are read once for its group of query heads
            Workers.forRange(rows * kv, (from, to) -> {
                for (int task = from; task < to; task++) {
                    int r = task / kv, kh = task % kv;
                    long head0 = ((long) slots[r] * kv + kh) * cap * hd * valueBytes;
                    attend(qkv, r * qkvOut + kh * g * hd, keys, values, head0, positions[r] + 1, att, (r * h + kh * g) * hd, bf16);
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
    private void attend(float[] q, int q0, MemorySegment keys, MemorySegment values, long head0, int len, float[] out, int o0, boolean bf16) {
        float[] scores = new float[g * len];
        for (int h0 = 0; h0 < g; h0 += 4) {
            int hn = Math.min(4, g - h0);
            if (bf16 && bf16QueriesHeld) groupScoresBf16(q, q0, h0, hn, keys, head0, len, scores);
            else if (bf16) scoresBf16(q, q0, h0, hn, keys, head0, len, scores);
            else scores(q, q0, h0, hn, keys, head0, len, scores);
        }
        for (int gi = 0; gi < g; gi++) softmax(scores, gi * len, len);
        if (hd == 4 * F.length()) {
            // a row is four vectors (F32) or two int vectors of BF16 pairs: up to four heads' sums stay in sixteen
            // registers, so the values are read once for the whole group
            for (int h0 = 0; h0 < g; h0 += 4) groupValues(scores, h0, Math.min(4, g - h0), len, values, head0, out, o0, bf16);
            return;
        }
        for (int gi = 0; gi < g; gi++) {
            if (bf16) weightedValuesBf16(scores, gi * len, len, values, head0, out, o0 + gi * hd);
            else weightedValues(scores, gi * len, len, values, head0, out, o0 + gi * hd);
        }
    }

    /**
     * {@link #weightedValues} for the {@code hn <= 4} query heads h0.. of a group at once (weights of head h at
     * w[h * len..], its output at out[o0 + h * hd..]), when a row of values is four vectors (F32) or two int vectors of
     * BF16 pairs, widened in registers to their even and odd dims: each row is loaded once and meets every head (heads
     * past hn repeat the last one; their sums are not stored). A pass per head read the values three times: at 1,056
     * positions, 720 groups of three heads took 21 ms against 8 for one pass (AVX-512, values from memory, one thread;
     * a scratch harness), and 5.5 against 3.3 with the values in cache.
     */
    private void groupValues(float[] w, int h0, int hn, int len, MemorySegment values, long head0, float[] out, int o0, boolean bf16) {
        int lanes = F.length();
        int wa = h0 * len, wb = (h0 + Math.min(1, hn - 1)) * len, wc = (h0 + Math.min(2, hn - 1)) * len, wd = (h0 + Math.min(3, hn - 1)) * len;
        long rowBytes = (long) hd * (bf16 ? 2 : Float.BYTES), vb = 4L * lanes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        long at = head0;
        for (int p = 0; p < len; p++, at += rowBytes) {
            FloatVector v0, v1, v2, v3;
            if (bf16) { // [even dims of the first half | odd | even of the second half | odd]
                IntVector u = IntVector.fromMemorySegment(I, values, at, ByteOrder.LITTLE_ENDIAN);
                IntVector u1 = IntVector.fromMemorySegment(I, values, at + vb, ByteOrder.LITTLE_ENDIAN);
                v0 = PanelKernels.even(u);
                v1 = PanelKernels.odd(u);
                v2 = PanelKernels.even(u1);
                v3 = PanelKernels.odd(u1);
            } else {
                v0 = FloatVector.fromMemorySegment(F, values, at, ByteOrder.nativeOrder());
                v1 = FloatVector.fromMemorySegment(F, values, at + vb, ByteOrder.nativeOrder());
                v2 = FloatVector.fromMemorySegment(F, values, at + 2 * vb, ByteOrder.nativeOrder());
                v3 = FloatVector.fromMemorySegment(F, values, at + 3 * vb, ByteOrder.nativeOrder());
            }
            FloatVector s = FloatVector.broadcast(F, w[wa + p]);
            a0 = v0.fma(s, a0); a1 = v1.fma(s, a1); a2 = v2.fma(s, a2); a3 = v3.fma(s, a3);
            s = FloatVector.broadcast(F, w[wb + p]);
            b0 = v0.fma(s, b0); b1 = v1.fma(s, b1); b2 = v2.fma(s, b2); b3 = v3.fma(s, b3);
            s = FloatVector.broadcast(F, w[wc + p]);
            c0 = v0.fma(s, c0); c1 = v1.fma(s, c1); c2 = v2.fma(s, c2); c3 = v3.fma(s, c3);
            s = FloatVector.broadcast(F, w[wd + p]);
            d0 = v0.fma(s, d0); d1 = v1.fma(s, d1); d2 = v2.fma(s, d2); d3 = v3.fma(s, d3);
        }
        // stored here, not through a helper: vectors handed to a call that is not inlined are boxed
        float[] sums = new float[16 * lanes];
        a0.intoArray(sums, 0); a1.intoArray(sums, lanes); a2.intoArray(sums, 2 * lanes); a3.intoArray(sums, 3 * lanes);
        b0.intoArray(sums, 4 * lanes); b1.intoArray(sums, 5 * lanes); b2.intoArray(sums, 6 * lanes); b3.intoArray(sums, 7 * lanes);
        c0.intoArray(sums, 8 * lanes); c1.intoArray(sums, 9 * lanes); c2.intoArray(sums, 10 * lanes); c3.intoArray(sums, 11 * lanes);
        d0.intoArray(sums, 12 * lanes); d1.intoArray(sums, 13 * lanes); d2.intoArray(sums, 14 * lanes); d3.intoArray(sums, 15 * lanes);
        for (int hi = 0; hi < hn; hi++) {
            int o = o0 + (h0 + hi) * hd, s0 = hi * hd;
            if (!bf16) {
                System.arraycopy(sums, s0, out, o, hd);
                continue;
            }
            for (int t = 0; t < lanes; t++) { // back into dim order
                out[o + 2 * t] = sums[s0 + t];
                out[o + 2 * t + 1] = sums[s0 + lanes + t];
                out[o + 2 * lanes + 2 * t] = sums[s0 + 2 * lanes + t];
                out[o + 2 * lanes + 2 * t + 1] = sums[s0 + 3 * lanes + t];
            }
        }
    }

    /**
     * {@link #scoresBf16} when a BF16 key row is two int vectors (four float vectors once widened: hd 64 on 16 lanes):
     * the {@code hn <= 4} heads' split queries, sixteen vectors, are loaded once and stay in registers over every
     * position, where the general loop reloads them from the array for each position and checks their indexes each
     * time. Attention per decode step over a BF16 cache, the two kernels alternating step by step in one JVM after a
     * warm-up of both (SmolLM2-135M's shape, AVX-512, two runs): at batch 8 3.0-3.4 ms against 3.3-3.7 over 128-288
     * positions and 9.6-10.2 against 11.2-11.7 over 1,024-1,184; at batch 1 no clear change (0.61-0.77 against
     * 0.73-0.77, 1.33-1.73 against 1.55-1.79), where the same harness over an F32 cache, whose code is the same either
     * way, spread by 7%. The same change to the F32 loop measured no gain, so F32 keys keep {@link #scores}.
     */
    private void groupScoresBf16(float[] q, int q0, int h0, int hn, MemorySegment keys, long head0, int len, float[] scores) {
        int lanes = F.length();
        // per head (heads past hn repeat the last one): [even dims < 2 lanes | odd | even dims >= 2 lanes | odd], the
        // order a row's two int vectors widen to
        float[] split = new float[4 * hd];
        for (int hi = 0; hi < 4; hi++) {
            int from = q0 + (h0 + Math.min(hi, hn - 1)) * hd, to = hi * hd;
            for (int j = 0; j < lanes; j++) {
                split[to + j] = q[from + 2 * j];
                split[to + lanes + j] = q[from + 2 * j + 1];
                split[to + 2 * lanes + j] = q[from + 2 * lanes + 2 * j];
                split[to + 3 * lanes + j] = q[from + 2 * lanes + 2 * j + 1];
            }
        }
        FloatVector qa0 = FloatVector.fromArray(F, split, 0), qa1 = FloatVector.fromArray(F, split, lanes),
                qa2 = FloatVector.fromArray(F, split, 2 * lanes), qa3 = FloatVector.fromArray(F, split, 3 * lanes);
        FloatVector qb0 = FloatVector.fromArray(F, split, hd), qb1 = FloatVector.fromArray(F, split, hd + lanes),
                qb2 = FloatVector.fromArray(F, split, hd + 2 * lanes), qb3 = FloatVector.fromArray(F, split, hd + 3 * lanes);
        FloatVector qc0 = FloatVector.fromArray(F, split, 2 * hd), qc1 = FloatVector.fromArray(F, split, 2 * hd + lanes),
                qc2 = FloatVector.fromArray(F, split, 2 * hd + 2 * lanes), qc3 = FloatVector.fromArray(F, split, 2 * hd + 3 * lanes);
        FloatVector qd0 = FloatVector.fromArray(F, split, 3 * hd), qd1 = FloatVector.fromArray(F, split, 3 * hd + lanes),
                qd2 = FloatVector.fromArray(F, split, 3 * hd + 2 * lanes), qd3 = FloatVector.fromArray(F, split, 3 * hd + 3 * lanes);
        long rowBytes = (long) hd * 2, vb = 4L * lanes, k = head0;
        int sa = h0 * len, sb = sa + len, sc = sb + len, sd = sc + len;
        for (int p = 0; p < len; p++, k += rowBytes) {
            IntVector u = IntVector.fromMemorySegment(I, keys, k, ByteOrder.LITTLE_ENDIAN);
            IntVector u1 = IntVector.fromMemorySegment(I, keys, k + vb, ByteOrder.LITTLE_ENDIAN);
            FloatVector k0 = PanelKernels.even(u), k1 = PanelKernels.odd(u), k2 = PanelKernels.even(u1), k3 = PanelKernels.odd(u1);
            FloatVector a = k3.fma(qa3, k2.fma(qa2, k1.fma(qa1, k0.mul(qa0))));
            FloatVector b = k3.fma(qb3, k2.fma(qb2, k1.fma(qb1, k0.mul(qb0))));
            FloatVector c = k3.fma(qc3, k2.fma(qc2, k1.fma(qc1, k0.mul(qc0))));
            FloatVector d = k3.fma(qd3, k2.fma(qd2, k1.fma(qd1, k0.mul(qd0))));
            scores[sa + p] = a.reduceLanes(VectorOperators.ADD);
            if (hn > 1) scores[sb + p] = b.reduceLanes(VectorOperators.ADD);
            if (hn > 2) scores[sc + p] = c.reduceLanes(VectorOperators.ADD);
            if (hn > 3) scores[sd + p] = d.reduceLanes(VectorOperators.ADD);
        }
    }

    /** One head's hd values from x[from..] into the cache as BF16 at byte offset {@code off}, rounded to nearest even. */
    private void putBf16(float[] x, int from, MemorySegment cache, long off) {
        for (int i = 0; i < hd; i++) cache.set(BF16, off + 2L * i, Bf16.round(x[from + i]));
    }

    /** The dims of a BF16 row that whole int vectors cover: each vector holds 2 x lanes of them. */
    private int bf16VectorDims() {
        return hd / (2 * I.length()) * (2 * I.length());
    }

    /**
     * {@link #scores} over BF16 keys: one int vector holds 2 x lanes dims, widened in registers to its even and odd
     * dims ({@code << 16} and the top halves), which meet the query's even and odd dims, split once per call.
     */
    private void scoresBf16(float[] q, int q0, int h0, int hn, MemorySegment keys, long head0, int len, float[] scores) {
        long rowBytes = (long) hd * 2;
        int lanes = I.length(), bound = bf16VectorDims(), halfBound = bound / 2;
        // per head (heads past hn repeat the last one): [its even dims < bound | its odd dims < bound]
        float[] split = new float[4 * bound];
        for (int hi = 0; hi < 4; hi++) {
            int from = q0 + (h0 + Math.min(hi, hn - 1)) * hd;
            for (int j = 0; j < halfBound; j++) {
                split[hi * bound + j] = q[from + 2 * j];
                split[hi * bound + halfBound + j] = q[from + 2 * j + 1];
            }
        }
        int qb = bound, qc = 2 * bound, qd = 3 * bound;
        for (int p = 0; p < len; p++) {
            long k = head0 + p * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < halfBound; j += lanes) {
                IntVector v = IntVector.fromMemorySegment(I, keys, k + 4L * j, ByteOrder.LITTLE_ENDIAN);
                FloatVector e = PanelKernels.even(v), o = PanelKernels.odd(v);
                a0 = o.fma(FloatVector.fromArray(F, split, halfBound + j), e.fma(FloatVector.fromArray(F, split, j), a0));
                a1 = o.fma(FloatVector.fromArray(F, split, qb + halfBound + j), e.fma(FloatVector.fromArray(F, split, qb + j), a1));
                a2 = o.fma(FloatVector.fromArray(F, split, qc + halfBound + j), e.fma(FloatVector.fromArray(F, split, qc + j), a2));
                a3 = o.fma(FloatVector.fromArray(F, split, qd + halfBound + j), e.fma(FloatVector.fromArray(F, split, qd + j), a3));
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
            for (int i = bound; i < hd; i++) {
                float kf = Bf16.widen(keys.get(BF16, k + 2L * i));
                s0 += q[q0 + h0 * hd + i] * kf;
                s1 += q[q0 + (h0 + Math.min(1, hn - 1)) * hd + i] * kf;
                s2 += q[q0 + (h0 + Math.min(2, hn - 1)) * hd + i] * kf;
                s3 += q[q0 + (h0 + Math.min(3, hn - 1)) * hd + i] * kf;
            }
            scores[h0 * len + p] = s0;
            if (hn > 1) scores[(h0 + 1) * len + p] = s1;
            if (hn > 2) scores[(h0 + 2) * len + p] = s2;
            if (hn > 3) scores[(h0 + 3) * len + p] = s3;
        }
    }

    /**
     * {@link #weightedValues} over BF16 values: sums of the even and odd dims of two int vectors (4 x lanes dims) in
     * four registers over every position, put back in dim order once at the end.
     */
    private void weightedValuesBf16(float[] w, int w0, int len, MemorySegment values, long head0, float[] out, int o0) {
        int lanes = I.length(), bound = bf16VectorDims(), i = 0;
        long rowBytes = (long) hd * 2, vb = 4L * lanes;
        float[] sums = new float[4 * lanes];
        for (; i + 4 * lanes <= bound; i += 4 * lanes) {
            FloatVector e0 = FloatVector.zero(F), o0v = e0, e1 = e0, o1 = e0;
            long at = head0 + 2L * i;
            for (int p = 0; p < len; p++, at += rowBytes) {
                FloatVector s = FloatVector.broadcast(F, w[w0 + p]);
                IntVector v0 = IntVector.fromMemorySegment(I, values, at, ByteOrder.LITTLE_ENDIAN);
                IntVector v1 = IntVector.fromMemorySegment(I, values, at + vb, ByteOrder.LITTLE_ENDIAN);
                e0 = PanelKernels.even(v0).fma(s, e0);
                o0v = PanelKernels.odd(v0).fma(s, o0v);
                e1 = PanelKernels.even(v1).fma(s, e1);
                o1 = PanelKernels.odd(v1).fma(s, o1);
            }
            e0.intoArray(sums, 0);
            o0v.intoArray(sums, lanes);
            e1.intoArray(sums, 2 * lanes);
            o1.intoArray(sums, 3 * lanes);
            for (int t = 0; t < lanes; t++) {
                out[o0 + i + 2 * t] = sums[t];
                out[o0 + i + 2 * t + 1] = sums[lanes + t];
                out[o0 + i + 2 * lanes + 2 * t] = sums[2 * lanes + t];
                out[o0 + i + 2 * lanes + 2 * t + 1] = sums[3 * lanes + t];
            }
        }
        for (; i < bound; i += 2 * lanes) {
            FloatVector e = FloatVector.zero(F), o = e;
            long at = head0 + 2L * i;
            for (int p = 0; p < len; p++, at += rowBytes) {
                FloatVector s = FloatVector.broadcast(F, w[w0 + p]);
                IntVector v = IntVector.fromMemorySegment(I, values, at, ByteOrder.LITTLE_ENDIAN);
                e = PanelKernels.even(v).fma(s, e);
                o = PanelKernels.odd(v).fma(s, o);
            }
            e.intoArray(sums, 0);
            o.intoArray(sums, lanes);
            for (int t = 0; t < lanes; t++) {
                out[o0 + i + 2 * t] = sums[t];
                out[o0 + i + 2 * t + 1] = sums[lanes + t];
            }
        }
        for (; i < hd; i++) {
            float sum = 0;
            for (int p = 0; p < len; p++) sum += w[w0 + p] * Bf16.widen(values.get(BF16, head0 + p * rowBytes + 2L * i));
            out[o0 + i] = sum;
        }
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

    /**
     * softmax over a[from..from + n), on vectors: the max, the shifted exponentials and the scaling. As scalar loops
     * the max and the scaling took a fifth of attention's samples at 1,024 positions (JFR, batch 8).
     */
    private static void softmax(float[] a, int from, int n) {
        int bound = F.loopBound(n), i = 0;
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (; i < bound; i += F.length()) m = m.max(FloatVector.fromArray(F, a, from + i));
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, a[from + i]);
        float norm = 1 / expShifted(a, from, from + n, max);
        for (i = 0; i < bound; i += F.length()) FloatVector.fromArray(F, a, from + i).mul(norm).intoArray(a, from + i);
        for (; i < n; i++) a[from + i] *= norm;
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
