package dev.dca.runtime.engine;

import dev.dca.runtime.gguf.GgmlType;
import dev.dca.runtime.gguf.GgufDequantizer;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DecodeMatMul}: {@code y = x W^T} with the JDK Vector API, reading W in place in the format it is held in
 * (the engine's F32 tensors, BF16 copies, or a GGUF file's blocks) and splitting W's rows over {@link Workers}.
 *
 * <p>Why by hand: PyTorch's CPU linear for 1-8 rows ran on one core at ~14 GB/s whatever its thread count
 * (measured, see docs/BENCHMARKS.md), while decoding is nothing but streaming the weights once per step; and DJL
 * 0.35.1's PyTorch has neither BF16 tensors nor quantized matmuls, so for those formats these kernels also serve
 * prefill's many rows. One input row walks W in address order; several share widened weight rows through a 2 x 4
 * register tile.
 *
 * <p>Found by {@link DecodeMatMul#vectorApi()}; needs Java 22+ and {@code --add-modules jdk.incubator.vector}, which
 * {@code ./dca} and the test setup pass.
 */
final class VectorMatMul implements DecodeMatMul {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    /**
     * One input row streams the weights once, with a kernel per format that meets x in registers (F32, BF16, Q8_0);
     * other formats widen each row into L1 first. Several input rows go through {@link #widenedTiles}.
     */
    @Override
    public float[] multiply(GgmlType type, ByteBuffer weights, int out, int in, float[] x, int rows, float[] bias) {
        if (in % type.blockSize != 0) throw new IllegalArgumentException(type + " rows must hold whole blocks of " + type.blockSize + ", got " + in);
        MemorySegment w = MemorySegment.ofBuffer(weights);
        if (type == GgmlType.BF16) return multiplyBf16(w, out, in, x, rows, bias);
        if (rows > 1) {
            return overRowRanges(out, rows, 2, bias, (y, r0, r1) -> widenedTiles(out, in, x, rows, y, r0, r1,
                    (r, dst, at) -> widen(type, w, in, r, dst, at)));
        }
        if (type == GgmlType.F32) return overRowRanges(out, 1, 4, bias, (y, r0, r1) -> {
            for (int r = r0; r < r1; r++) y[r] = f32Row(w, in, x, r);
        });
        if (type == GgmlType.Q8_0 && Q8 != null) return overRowRanges(out, 1, 1, bias, (y, r0, r1) -> {
            for (int r = r0; r < r1; r++) y[r] = q8Row(w, in, x, r);
        });
        if (type == GgmlType.Q4_0 && NIBBLE_KERNELS) return overRowRanges(out, 1, 1, bias, (y, r0, r1) -> {
            for (int r = r0; r < r1; r++) y[r] = q4Row(w, in, x, r);
        });
        if (type == GgmlType.Q6_K && NIBBLE_KERNELS) return overRowRanges(out, 1, 1, bias, (y, r0, r1) -> {
            for (int r = r0; r < r1; r++) y[r] = q6kRow(w, in, x, r);
        });
        if (type == GgmlType.Q4_K && NIBBLE_KERNELS) {
            float[] sums = new float[in / 32]; // sum of x over each run of 32: what every min multiplies
            for (int i = 0; i < in; i++) sums[i / 32] += x[i];
            return overRowRanges(out, 1, 1, bias, (y, r0, r1) -> {
                byte[] sc = new byte[12];
                for (int r = r0; r < r1; r++) y[r] = q4kRow(w, in, x, sums, sc, r);
            });
        }
        return overRowRanges(out, 1, 1, bias, (y, r0, r1) -> {
            float[] row = new float[in];
            for (int r = r0; r < r1; r++) {
                widen(type, w, in, r, row, 0);
                y[r] = dot(row, x, in);
            }
        });
    }

    @Override
    public void row(GgmlType type, ByteBuffer weights, int in, int r, float[] dst, int at) {
        MemorySegment w = MemorySegment.ofBuffer(weights);
        if (type == GgmlType.BF16) {
            for (int i = 0; i < in; i++) dst[at + i] = bf16(w, (long) r * in * 2, i);
        } else {
            widen(type, w, in, r, dst, at);
        }
    }

    /**
     * Row r of a matrix in {@code type} as F32 (natural order) into dst[at..]: vectorized for F32 and Q8_0, the
     * reference dequantizer (scalar, exact ggml formulas) for every other ggml type.
     */
    private static void widen(GgmlType type, MemorySegment w, int in, int r, float[] dst, int at) {
        if (type == GgmlType.F32) {
            MemorySegment.copy(w, FLOAT_NATIVE, (long) r * in * Float.BYTES, dst, at, in);
        } else if (type == GgmlType.Q8_0 && Q8 != null) {
            widenQ8_0(w, in, r, dst, at);
        } else if (NIBBLE_KERNELS && type == GgmlType.Q4_0) {
            widenQ4_0(w, in, r, dst, at);
        } else if (NIBBLE_KERNELS && type == GgmlType.Q4_K) {
            widenQ4_K(w, in, r, dst, at);
        } else if (NIBBLE_KERNELS && type == GgmlType.Q6_K) {
            widenQ6_K(w, in, r, dst, at);
        } else {
            int blocks = in / type.blockSize, bytes = blocks * type.typeSize;
            Scratch s = SCRATCH.get().fit(bytes, in);
            MemorySegment.copy(w, java.lang.foreign.ValueLayout.JAVA_BYTE, (long) r * bytes, s.bytes, 0, bytes);
            GgufDequantizer.decode(type, s.bytes, blocks, s.floats);
            System.arraycopy(s.floats, 0, dst, at, in);
        }
    }

    /** 16 and 32 int8 lanes, widened to F32 vectors part by part; used when F32 vectors have 4 to 16 lanes. */
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128, B256 = ByteVector.SPECIES_256;
    private static final boolean NIBBLE_KERNELS = LANES >= 4 && LANES <= 16;

    /**
     * Q4_0 row r as F32 into dst[at..], ggml's values exactly ((q - 8) x d, a small integer times an F16 scale):
     * per block of 32, byte j holds element j (low nibble) and j + 16 (high nibble).
     */
    private static void widenQ4_0(MemorySegment w, int in, int r, float[] dst, int at) {
        int blocks = in / 32, parts = 16 / LANES;
        long o = (long) r * blocks * 18;
        for (int b = 0; b < blocks; b++) {
            long bo = o + (long) b * 18;
            float d = Float.float16ToFloat(w.get(SHORT_LE, bo));
            ByteVector q = ByteVector.fromMemorySegment(B128, w, bo + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8), hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            int y = at + b * 32;
            for (int p = 0; p < parts; p++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, y + p * LANES);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, y + 16 + p * LANES);
            }
        }
    }

    /** Q4_0 weight row r . x read as stored (0.56 bytes per weight): per block, sum (q - 8) x, then times the scale. */
    private static float q4Row(MemorySegment w, int in, float[] x, int r) {
        int blocks = in / 32, parts = 16 / LANES;
        long o = (long) r * blocks * 18;
        FloatVector a = FloatVector.zero(F);
        for (long lb = 0; lb < blocks; lb++) {
            long bo = o + lb * 18;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, bo + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8), hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            int x0 = (int) lb * 32;
            for (int p = 0; p < parts; p++) {
                s0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, x0 + p * LANES), s0);
                s1 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, x0 + 16 + p * LANES), s1);
            }
            a = s0.add(s1).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, bo))), a);
        }
        return a.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q4_K row r as F32 into dst[at..] (ggml's {@code dequantize_row_q4_K}, same rounding: d x scale x q, then minus
     * dmin x min): per super-block of 256, 32 bytes hold 64 values, low nibbles the first 32, high nibbles the next,
     * each 32 with its own 6-bit scale and min.
     */
    private static void widenQ4_K(MemorySegment w, int in, int r, float[] dst, int at) {
        int blocks = in / 256, parts = 32 / LANES;
        long o = (long) r * blocks * 144;
        byte[] sc = new byte[12];
        for (int b = 0; b < blocks; b++) {
            long bo = o + (long) b * 144;
            float d = Float.float16ToFloat(w.get(SHORT_LE, bo)), min = Float.float16ToFloat(w.get(SHORT_LE, bo + 2));
            MemorySegment.copy(w, java.lang.foreign.ValueLayout.JAVA_BYTE, bo + 4, sc, 0, 12);
            for (int j = 0; j < 4; j++) {
                ByteVector q = ByteVector.fromMemorySegment(B256, w, bo + 16 + 32L * j, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0x0F), hi = q.lanewise(VectorOperators.LSHR, 4);
                float d1 = d * scaleK4(sc, 2 * j), m1 = min * minK4(sc, 2 * j);
                float d2 = d * scaleK4(sc, 2 * j + 1), m2 = min * minK4(sc, 2 * j + 1);
                int y = at + b * 256 + 64 * j;
                for (int p = 0; p < parts; p++) {
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d1).sub(m1).intoArray(dst, y + p * LANES);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d2).sub(m2).intoArray(dst, y + 32 + p * LANES);
                }
            }
        }
    }

    /**
     * Q4_K weight row r . x read as stored (0.56 bytes per weight): per run of 32, d1 x sum(q x) - m1 x sum(x), the
     * sums of x given.
     */
    private static float q4kRow(MemorySegment w, int in, float[] x, float[] sums, byte[] sc, int r) {
        int blocks = in / 256, parts = 32 / LANES;
        long o = (long) r * blocks * 144;
        FloatVector a = FloatVector.zero(F);
        float mins = 0;
        for (int b = 0; b < blocks; b++) {
            long bo = o + (long) b * 144;
            float d = Float.float16ToFloat(w.get(SHORT_LE, bo)), min = Float.float16ToFloat(w.get(SHORT_LE, bo + 2));
            MemorySegment.copy(w, java.lang.foreign.ValueLayout.JAVA_BYTE, bo + 4, sc, 0, 12);
            for (int j = 0; j < 4; j++) {
                ByteVector q = ByteVector.fromMemorySegment(B256, w, bo + 16 + 32L * j, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0x0F), hi = q.lanewise(VectorOperators.LSHR, 4);
                int x0 = b * 256 + 64 * j;
                FloatVector s0 = FloatVector.zero(F), s1 = s0;
                for (int p = 0; p < parts; p++) {
                    s0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, x0 + p * LANES), s0);
                    s1 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, x0 + 32 + p * LANES), s1);
                }
                a = s0.fma(FloatVector.broadcast(F, d * scaleK4(sc, 2 * j)), a);
                a = s1.fma(FloatVector.broadcast(F, d * scaleK4(sc, 2 * j + 1)), a);
                mins += min * minK4(sc, 2 * j) * sums[x0 / 32] + min * minK4(sc, 2 * j + 1) * sums[x0 / 32 + 1];
            }
        }
        return a.reduceLanes(VectorOperators.ADD) - mins;
    }

    /** ggml's get_scale_min_k4: the j-th of 8 (scale, min) 6-bit pairs packed in 12 bytes. */
    private static int scaleK4(byte[] s, int j) {
        return j < 4 ? s[j] & 63 : (s[j + 4] & 0xF) | ((s[j - 4] & 0xFF) >> 6) << 4;
    }

    private static int minK4(byte[] s, int j) {
        return j < 4 ? s[j + 4] & 63 : ((s[j + 4] & 0xFF) >> 4) | ((s[j] & 0xFF) >> 6) << 4;
    }

    /**
     * Q6_K row r as F32 into dst[at..] (ggml's {@code dequantize_row_q6_K}, same rounding: (d x scale) x q): per
     * 128 values, 64 bytes of low nibbles and 32 of 2-bit high parts give four runs of 32, each 16 with an int8 scale.
     */
    private static void widenQ6_K(MemorySegment w, int in, int r, float[] dst, int at) {
        int blocks = in / 256, parts = 32 / LANES, perScale = 16 / LANES;
        long o = (long) r * blocks * 210;
        for (int b = 0; b < blocks; b++) {
            long bo = o + (long) b * 210;
            float d = Float.float16ToFloat(w.get(SHORT_LE, bo + 208));
            for (int n = 0; n < 2; n++) {
                long sc = bo + 192 + 8L * n;
                ByteVector[] q = q6Values(w, bo, n);
                int y = at + b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    for (int p = 0; p < parts; p++) {
                        float ds = d * w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, sc + p / perScale + 2L * k);
                        ((FloatVector) q[k].convertShape(VectorOperators.B2F, F, p)).mul(ds).intoArray(dst, y + 32 * k + p * LANES);
                    }
                }
            }
        }
    }

    /** The four runs of 32 values (q - 32, in -32..31) of half {@code n} of the Q6_K super-block at {@code bo}. */
    private static ByteVector[] q6Values(MemorySegment w, long bo, int n) {
        long ql = bo + 64L * n, qh = bo + 128 + 32L * n;
        ByteVector l0 = ByteVector.fromMemorySegment(B256, w, ql, ByteOrder.LITTLE_ENDIAN);
        ByteVector l1 = ByteVector.fromMemorySegment(B256, w, ql + 32, ByteOrder.LITTLE_ENDIAN);
        ByteVector h = ByteVector.fromMemorySegment(B256, w, qh, ByteOrder.LITTLE_ENDIAN);
        return new ByteVector[] {
            l0.and((byte) 0x0F).or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32),
            l1.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32),
            l0.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32),
            l1.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32)};
    }

    /** Q6_K weight row r . x read as stored (0.82 bytes per weight): per 16 values, sum(q x) times d x scale. */
    private static float q6kRow(MemorySegment w, int in, float[] x, int r) {
        int blocks = in / 256, perScale = 16 / LANES;
        long o = (long) r * blocks * 210;
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long bo = o + (long) b * 210;
            float d = Float.float16ToFloat(w.get(SHORT_LE, bo + 208));
            for (int n = 0; n < 2; n++) {
                long sc = bo + 192 + 8L * n;
                ByteVector[] q = q6Values(w, bo, n);
                int x0 = b * 256 + 128 * n;
                for (int k = 0; k < 4; k++) {
                    for (int half = 0; half < 2; half++) {
                        FloatVector s = FloatVector.zero(F);
                        for (int p = half * perScale; p < (half + 1) * perScale; p++) {
                            s = ((FloatVector) q[k].convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, x0 + 32 * k + p * LANES), s);
                        }
                        a = s.fma(FloatVector.broadcast(F, d * w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, sc + half + 2L * k)), a);
                    }
                }
            }
        }
        return a.reduceLanes(VectorOperators.ADD);
    }

    /** A thread's buffers for {@link #widen} through the dequantizer (one row's bytes and values), grown on demand. */
    private static final class Scratch {
        byte[] bytes = new byte[0];
        float[] floats = new float[0];

        Scratch fit(int nBytes, int nFloats) {
            if (bytes.length < nBytes) bytes = new byte[nBytes];
            if (floats.length < nFloats) floats = new float[nFloats];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static float dot(float[] a, float[] b, int n) {
        int bound = F.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < bound; i += LANES) acc = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, b, i), acc);
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < n; i++) s += a[i] * b[i];
        return s;
    }

    private static final java.lang.foreign.ValueLayout.OfFloat FLOAT_NATIVE = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);

    /** Writes weight row r as {@code in} F32 values into dst[at..], in the element order the matching x uses. */
    @FunctionalInterface
    private interface RowWidener {
        void widen(int r, float[] dst, int at);
    }

    /** Bytes of widened weight rows kept at a time: well inside L2, so a block is read from there by every input group. */
    private static final int SCRATCH_BYTES = 64 * 1024;

    /**
     * Several input rows (batched decoding, prefill): a block of weight rows is widened once into an F32 scratch that
     * stays in L2, then for each group of four input rows (in L1) a 2 x 4 register tile runs over the block's row
     * pairs. The widening (a copy, BF16's shift, Q8_0's scale) is paid once per weight instead of once per group of
     * inputs, and the tile reads plain arrays (measured in docs/BENCHMARKS.md).
     */
    private static void widenedTiles(int out, int in, float[] x, int rows, float[] y, int r0, int r1, RowWidener widen) {
        int block = Math.max(2, SCRATCH_BYTES / (in * Float.BYTES) & ~1);
        float[] scratch = new float[block * in];
        for (int rb = r0; rb < r1; rb += block) {
            int n = Math.min(block, r1 - rb);
            for (int k = 0; k < n; k++) widen.widen(rb + k, scratch, k * in);
            for (int m = 0; m < rows; m += 4) {
                for (int k = 0; k < n; k += 2) tile(scratch, k * in, in, x, Math.min(4, rows - m), m, y, out, rb + k, k + 1 < n);
            }
        }
    }

    /**
     * The two scratch rows at w[w0..] (weight rows r, r+1; the second only if {@code two}) against inputs
     * m0..m0+n-1 (n <= 4): each loaded weight vector feeds up to four FMAs, 6 loads per 8 FMAs.
     */
    private static void tile(float[] w, int w0, int in, float[] x, int n, int m0, float[] y, int out, int r, boolean two) {
        int bound = F.loopBound(in), x0 = m0 * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in, w1 = w0 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < bound; i += LANES) {
            FloatVector p = FloatVector.fromArray(F, w, w0 + i), q = FloatVector.fromArray(F, w, w1 + i);
            FloatVector v = FloatVector.fromArray(F, x, x0 + i);
            a0 = p.fma(v, a0);
            b0 = q.fma(v, b0);
            if (n > 1) {
                v = FloatVector.fromArray(F, x, x1 + i);
                a1 = p.fma(v, a1);
                b1 = q.fma(v, b1);
            }
            if (n > 2) {
                v = FloatVector.fromArray(F, x, x2 + i);
                a2 = p.fma(v, a2);
                b2 = q.fma(v, b2);
            }
            if (n > 3) {
                v = FloatVector.fromArray(F, x, x3 + i);
                a3 = p.fma(v, a3);
                b3 = q.fma(v, b3);
            }
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
        float[] t = {b0.reduceLanes(VectorOperators.ADD), b1.reduceLanes(VectorOperators.ADD),
                b2.reduceLanes(VectorOperators.ADD), b3.reduceLanes(VectorOperators.ADD)};
        for (int i = bound; i < in; i++) {
            for (int k = 0; k < n; k++) {
                s[k] += w[w0 + i] * x[x0 + k * in + i];
                t[k] += w[w1 + i] * x[x0 + k * in + i];
            }
        }
        for (int k = 0; k < n; k++) {
            y[(m0 + k) * out + r] = s[k];
            if (two) y[(m0 + k) * out + r + 1] = t[k];
        }
    }

    /** A kernel over W's rows [r0, r1) writing their columns of y [rows, out]. */
    @FunctionalInterface
    private interface RowRange {
        void run(float[] y, int r0, int r1);
    }

    /**
     * y = x W^T + bias with W's rows split into one contiguous range per worker thread (range starts a multiple of
     * {@code align}, so each kernel's row tiles stay whole), each range computed by {@code kernel}.
     */
    private static float[] overRowRanges(int out, int rows, int align, float[] bias, RowRange kernel) {
        float[] y = new float[rows * out];
        int chunks = Math.min(Workers.THREADS, Math.max(1, out / 64));
        int per = ((out + chunks - 1) / chunks + align - 1) / align * align;
        Workers.run(chunks, c -> kernel.run(y, Math.min(out, c * per), Math.min(out, (c + 1) * per)));
        if (bias != null) {
            for (int m = 0; m < rows; m++) for (int r = 0; r < out; r++) y[m * out + r] += bias[r];
        }
        return y;
    }

    /**
     * BF16 weights: each 32-bit load holds two neighbouring weights, and a BF16 is the top half of an F32, so
     * {@code bits << 16} is the even weight and {@code bits & 0xffff0000} the odd one, exactly. x is split into its
     * even and odd elements once, so the inner loop is a load, a shift, a mask and two FMAs per 2 x LANES weights:
     * half the memory traffic of F32 at about the same instruction count.
     */
    private static float[] multiplyBf16(MemorySegment w, int out, int in, float[] x, int rows, float[] bias) {
        int pairs = in / 2;
        if (rows == 1) {
            float[] even = new float[pairs], odd = new float[pairs];
            for (int j = 0; j < pairs; j++) {
                even[j] = x[2 * j];
                odd[j] = x[2 * j + 1];
            }
            return overRowRanges(out, 1, 2, bias, (y, r0, r1) -> {
                for (int r = r0; r < r1; r++) y[r] = bf16Row(w, in, even, odd, x, 0, r);
            });
        }
        // each input row reordered as [even elements | odd elements | the last one when in is odd], the order in
        // which widenBf16 writes a weight row
        float[] split = new float[rows * in];
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < pairs; j++) {
                split[m * in + j] = x[m * in + 2 * j];
                split[m * in + pairs + j] = x[m * in + 2 * j + 1];
            }
            if (in % 2 == 1) split[m * in + in - 1] = x[m * in + in - 1];
        }
        return overRowRanges(out, rows, 2, bias, (y, r0, r1) -> widenedTiles(out, in, split, rows, y, r0, r1,
                (r, dst, at) -> widenBf16(w, in, r, dst, at)));
    }

    /** BF16 row r as F32 into dst[at..] in [even | odd | last] order. */
    private static void widenBf16(MemorySegment w, int in, int r, float[] dst, int at) {
        int pairs = in / 2, bound = I.loopBound(pairs);
        long o = (long) r * in * 2;
        for (int j = 0; j < bound; j += I.length()) {
            IntVector p = IntVector.fromMemorySegment(I, w, o + 4L * j, ByteOrder.LITTLE_ENDIAN);
            p.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, at + j);
            p.and(0xffff0000).reinterpretAsFloats().intoArray(dst, at + pairs + j);
        }
        for (int j = bound; j < pairs; j++) {
            dst[at + j] = bf16(w, o, 2 * j);
            dst[at + pairs + j] = bf16(w, o, 2 * j + 1);
        }
        if (in % 2 == 1) dst[at + in - 1] = bf16(w, o, in - 1);
    }

    /** Weight row r . input m; one sequential stream (the hardware prefetcher's best case), two accumulator pairs. */
    private static float bf16Row(MemorySegment w, int in, float[] even, float[] odd, float[] x, int m, int r) {
        int pairs = in / 2, bound = I.loopBound(pairs), lanes = I.length(), x0 = m * pairs;
        long o = (long) r * in * 2;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        int bound2 = bound - bound % (2 * lanes);
        for (long lj = 0; lj < bound2; lj += 2 * lanes) {
            int j = (int) lj;
            IntVector p = IntVector.fromMemorySegment(I, w, o + 4 * lj, ByteOrder.LITTLE_ENDIAN);
            IntVector q = IntVector.fromMemorySegment(I, w, o + 4 * (lj + lanes), ByteOrder.LITTLE_ENDIAN);
            a0 = p.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, even, x0 + j), a0);
            b0 = p.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, odd, x0 + j), b0);
            a1 = q.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, even, x0 + j + lanes), a1);
            b1 = q.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, odd, x0 + j + lanes), b1);
        }
        for (int j = bound2; j < bound; j += lanes) {
            IntVector p = IntVector.fromMemorySegment(I, w, o + 4L * j, ByteOrder.LITTLE_ENDIAN);
            a0 = p.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, even, x0 + j), a0);
            b0 = p.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, odd, x0 + j), b0);
        }
        float s = a0.add(b0).add(a1.add(b1)).reduceLanes(VectorOperators.ADD);
        for (int i = 2 * bound; i < in; i++) s += bf16(w, o, i) * x[m * in + i];
        return s;
    }

    /** Int8 lanes that widen to exactly one F32 vector; null when no such shape exists (vectors under 256 bits). */
    private static final VectorSpecies<Byte> Q8 = LANES >= 8 && 32 % LANES == 0
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    private static final int Q8_BLOCK_BYTES = 34;

    /** Q8_0 row r as F32 into dst[at..]: scale x int8, exact in F32. */
    private static void widenQ8_0(MemorySegment w, int in, int r, float[] dst, int at) {
        int blocks = in / 32, parts = 32 / LANES;
        long o = (long) r * blocks * Q8_BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long bo = o + (long) b * Q8_BLOCK_BYTES;
            float d = Float.float16ToFloat(w.get(SHORT_LE, bo));
            for (int p = 0; p < parts; p++) {
                ((FloatVector) ByteVector.fromMemorySegment(Q8, w, bo + 2 + (long) p * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, at + b * 32 + p * LANES);
            }
        }
    }

    /**
     * Q8_0 weight row r . x, read as stored (1.06 bytes per weight): each block's int8 lanes widen to F32 vectors that
     * meet x, and the block's sum is scaled once. A dequantized Q8_0 weight (F16 scale x int8) is exact in F32, so
     * this computes the products of the F32 path over dequantized weights; only the summation order differs.
     */
    private static float q8Row(MemorySegment w, int in, float[] x, int r) {
        int blocks = in / 32, parts = 32 / LANES;
        long o = (long) r * blocks * Q8_BLOCK_BYTES;
        FloatVector a = FloatVector.zero(F);
        for (long lb = 0; lb < blocks; lb++) {
            long bo = o + lb * Q8_BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, bo)));
            FloatVector sum = FloatVector.zero(F);
            for (int p = 0; p < parts; p++) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(Q8, w, bo + 2 + (long) p * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0);
                sum = q.fma(FloatVector.fromArray(F, x, (int) lb * 32 + p * LANES), sum);
            }
            a = sum.fma(d, a);
        }
        return a.reduceLanes(VectorOperators.ADD);
    }

    /** 16-bit little-endian values: Q8_0's F16 scales, BF16 weights. */
    private static final java.lang.foreign.ValueLayout.OfShort SHORT_LE = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static float bf16(MemorySegment w, long rowOffset, int i) {
        return Bf16.widen(w.get(SHORT_LE, rowOffset + 2L * i));
    }

    /**
     * Weight row r . x: one sequential stream with four accumulators. Walking the matrix in address order measured
     * ~12% faster in the full model than four interleaved row streams (the hardware prefetcher's best case).
     */
    private static float f32Row(MemorySegment w, int in, float[] x, int r) {
        long o = (long) r * in * Float.BYTES;
        int bound = F.loopBound(in), bound4 = bound - bound % (4 * LANES);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (long li = 0; li < bound4; li += 4 * LANES) {
            int i = (int) li;
            long at = o + li * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(F, w, at, ORDER).fma(FloatVector.fromArray(F, x, i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, at + LANES * 4L, ORDER).fma(FloatVector.fromArray(F, x, i + LANES), a1);
            a2 = FloatVector.fromMemorySegment(F, w, at + LANES * 8L, ORDER).fma(FloatVector.fromArray(F, x, i + 2 * LANES), a2);
            a3 = FloatVector.fromMemorySegment(F, w, at + LANES * 12L, ORDER).fma(FloatVector.fromArray(F, x, i + 3 * LANES), a3);
        }
        for (int i = bound4; i < bound; i += LANES) a0 = FloatVector.fromMemorySegment(F, w, o + (long) i * Float.BYTES, ORDER).fma(FloatVector.fromArray(F, x, i), a0);
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < in; i++) s += weight(w, o, i) * x[i];
        return s;
    }

    private static float weight(MemorySegment w, long rowOffset, int i) {
        return w.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, rowOffset + (long) i * Float.BYTES);
    }
}
