package dev.dca.runtime.engine;

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
 * {@link DecodeMatMul}: {@code y = x W^T} for the rows of a decode step (one per sequence), with the JDK Vector API,
 * reading W in place (the engine's F32 tensors, or its BF16 copies) and splitting W's rows over {@link Workers}.
 *
 * <p>Why by hand: PyTorch's CPU linear for 1-8 rows ran on one core at ~14 GB/s whatever its thread count
 * (measured, see docs/BENCHMARKS.md), while decoding is nothing but streaming the weights once per step. One input
 * row walks W in address order; several share each loaded weight vector through a 2 x 4 register tile. BF16 has no
 * PyTorch path at all here (DJL 0.35.1), so its kernel also serves prefill's many rows.
 *
 * <p>Found by {@link DecodeMatMul#vectorApi()}; needs Java 22+ and {@code --add-modules jdk.incubator.vector}, which
 * {@code ./dca} and the test setup pass.
 */
final class VectorMatMul implements DecodeMatMul {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    @Override
    public float[] multiply(ByteBuffer weights, int out, int in, float[] x, int rows, float[] bias) {
        MemorySegment w = MemorySegment.ofBuffer(weights);
        return overRowRanges(out, rows, 4, bias, (y, r0, r1) -> range(w, out, in, x, rows, y, r0, r1));
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
    @Override
    public float[] multiplyBf16(ByteBuffer weights, int out, int in, float[] x, int rows, float[] bias) {
        MemorySegment w = MemorySegment.ofBuffer(weights);
        int pairs = in / 2;
        float[] even = new float[rows * pairs], odd = new float[rows * pairs];
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < pairs; j++) {
                even[m * pairs + j] = x[m * in + 2 * j];
                odd[m * pairs + j] = x[m * in + 2 * j + 1];
            }
        }
        return overRowRanges(out, rows, 2, bias, (y, r0, r1) -> {
            int r = r0;
            if (rows == 1) {
                for (; r < r1; r++) y[r] = bf16Row(w, in, even, odd, x, 0, r);
            } else {
                for (; r + 2 <= r1; r += 2) for (int m = 0; m < rows; m += 4) bf16TwoRows(w, out, in, even, odd, x, Math.min(4, rows - m), m, y, r);
                for (; r < r1; r++) for (int m = 0; m < rows; m++) y[m * out + r] = bf16Row(w, in, even, odd, x, m, r);
            }
        });
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

    /** Weight rows r, r+1 against inputs m0..m0+n-1 (n <= 4), BF16: the 2 x 4 tile of the F32 kernel. */
    private static void bf16TwoRows(MemorySegment w, int out, int in, float[] even, float[] odd, float[] x, int n, int m0, float[] y, int r) {
        int pairs = in / 2, bound = I.loopBound(pairs);
        long o0 = (long) r * in * 2, o1 = o0 + (long) in * 2;
        int e0 = m0 * pairs;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (long lj = 0; lj < bound; lj += I.length()) {
            int j = (int) lj;
            IntVector p = IntVector.fromMemorySegment(I, w, o0 + 4 * lj, ByteOrder.LITTLE_ENDIAN);
            IntVector q = IntVector.fromMemorySegment(I, w, o1 + 4 * lj, ByteOrder.LITTLE_ENDIAN);
            FloatVector pe = p.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), po = p.and(0xffff0000).reinterpretAsFloats();
            FloatVector qe = q.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), qo = q.and(0xffff0000).reinterpretAsFloats();
            FloatVector ve = FloatVector.fromArray(F, even, e0 + j), vo = FloatVector.fromArray(F, odd, e0 + j);
            a0 = pe.fma(ve, po.fma(vo, a0));
            b0 = qe.fma(ve, qo.fma(vo, b0));
            if (n > 1) {
                ve = FloatVector.fromArray(F, even, e0 + pairs + j);
                vo = FloatVector.fromArray(F, odd, e0 + pairs + j);
                a1 = pe.fma(ve, po.fma(vo, a1));
                b1 = qe.fma(ve, qo.fma(vo, b1));
            }
            if (n > 2) {
                ve = FloatVector.fromArray(F, even, e0 + 2 * pairs + j);
                vo = FloatVector.fromArray(F, odd, e0 + 2 * pairs + j);
                a2 = pe.fma(ve, po.fma(vo, a2));
                b2 = qe.fma(ve, qo.fma(vo, b2));
            }
            if (n > 3) {
                ve = FloatVector.fromArray(F, even, e0 + 3 * pairs + j);
                vo = FloatVector.fromArray(F, odd, e0 + 3 * pairs + j);
                a3 = pe.fma(ve, po.fma(vo, a3));
                b3 = qe.fma(ve, qo.fma(vo, b3));
            }
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
        float[] t = {b0.reduceLanes(VectorOperators.ADD), b1.reduceLanes(VectorOperators.ADD),
                b2.reduceLanes(VectorOperators.ADD), b3.reduceLanes(VectorOperators.ADD)};
        for (int i = 2 * bound; i < in; i++) {
            float wi = bf16(w, o0, i), wj = bf16(w, o1, i);
            for (int k = 0; k < n; k++) {
                s[k] += wi * x[(m0 + k) * in + i];
                t[k] += wj * x[(m0 + k) * in + i];
            }
        }
        for (int k = 0; k < n; k++) {
            y[(m0 + k) * out + r] = s[k];
            y[(m0 + k) * out + r + 1] = t[k];
        }
    }

    /** Int8 lanes that widen to exactly one F32 vector; null when no such shape exists (vectors under 256 bits). */
    private static final VectorSpecies<Byte> Q8 = LANES >= 8 && 32 % LANES == 0
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    private static final int Q8_BLOCK_BYTES = 34;

    @Override
    public boolean hasQ8_0() {
        return Q8 != null;
    }

    /**
     * Q8_0 read as stored (1.06 bytes per weight): per block the int8 lanes widen to F32 vectors that meet x, and
     * the block's sum is scaled once. A dequantized Q8_0 weight (F16 scale x int8) is exact in F32, so this
     * computes the same products as the F32 path over dequantized weights; only the summation order differs.
     */
    @Override
    public float[] multiplyQ8_0(ByteBuffer weights, int out, int in, float[] x, int rows, float[] bias) {
        if (Q8 == null) throw new IllegalStateException("no Q8_0 kernel for " + LANES + "-lane vectors");
        if (in % 32 != 0) throw new IllegalArgumentException("Q8_0 rows must hold whole blocks of 32, got " + in);
        MemorySegment w = MemorySegment.ofBuffer(weights);
        return overRowRanges(out, rows, 1, bias, (y, r0, r1) -> {
            for (int r = r0; r < r1; r++) for (int m = 0; m < rows; m += 4) q8Row(w, out, in, x, Math.min(4, rows - m), m, y, r);
        });
    }

    /** Weight row r against inputs m0..m0+n-1 (n <= 4): each block is widened once for all of them. */
    private static void q8Row(MemorySegment w, int out, int in, float[] x, int n, int m0, float[] y, int r) {
        int blocks = in / 32, parts = 32 / LANES;
        long o = (long) r * blocks * Q8_BLOCK_BYTES;
        int x0 = m0 * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (long lb = 0; lb < blocks; lb++) {
            int b = (int) lb;
            long bo = o + lb * Q8_BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, bo)));
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < parts; p++) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(Q8, w, bo + 2 + (long) p * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0);
                int i = b * 32 + p * LANES;
                s0 = q.fma(FloatVector.fromArray(F, x, x0 + i), s0);
                if (n > 1) s1 = q.fma(FloatVector.fromArray(F, x, x1 + i), s1);
                if (n > 2) s2 = q.fma(FloatVector.fromArray(F, x, x2 + i), s2);
                if (n > 3) s3 = q.fma(FloatVector.fromArray(F, x, x3 + i), s3);
            }
            a0 = s0.fma(d, a0);
            if (n > 1) a1 = s1.fma(d, a1);
            if (n > 2) a2 = s2.fma(d, a2);
            if (n > 3) a3 = s3.fma(d, a3);
        }
        y[m0 * out + r] = a0.reduceLanes(VectorOperators.ADD);
        if (n > 1) y[(m0 + 1) * out + r] = a1.reduceLanes(VectorOperators.ADD);
        if (n > 2) y[(m0 + 2) * out + r] = a2.reduceLanes(VectorOperators.ADD);
        if (n > 3) y[(m0 + 3) * out + r] = a3.reduceLanes(VectorOperators.ADD);
    }

    /** 16-bit little-endian values: Q8_0's F16 scales, BF16 weights. */
    private static final java.lang.foreign.ValueLayout.OfShort SHORT_LE = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static float bf16(MemorySegment w, long rowOffset, int i) {
        return Bf16.widen(w.get(SHORT_LE, rowOffset + 2L * i));
    }

    private static void range(MemorySegment w, int out, int in, float[] x, int rows, float[] y, int r0, int r1) {
        if (rows == 1) {
            for (int r = r0; r < r1; r++) y[r] = f32Row(w, in, x, r);
        } else {
            int r = r0;
            for (; r + 2 <= r1; r += 2) for (int m = 0; m < rows; m += 4) twoRowsUpToFourInputs(w, out, in, x, Math.min(4, rows - m), m, y, r);
            for (; r < r1; r++) for (int m = 0; m < rows; m += 4) upToFourInputs(w, out, in, x, Math.min(4, rows - m), m, y, r);
        }
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

    /** Weight row r against inputs m0..m0+n-1 (n <= 4): the row is read once from memory, then from L1. */
    private static void upToFourInputs(MemorySegment w, int out, int in, float[] x, int n, int m0, float[] y, int r) {
        long o = (long) r * in * Float.BYTES;
        int bound = F.loopBound(in);
        int x0 = m0 * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (long li = 0; li < bound; li += LANES) {
            int i = (int) li;
            FloatVector wv = FloatVector.fromMemorySegment(F, w, o + li * Float.BYTES, ORDER);
            a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            if (n > 1) a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            if (n > 2) a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            if (n > 3) a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
        for (int i = bound; i < in; i++) {
            float wi = weight(w, o, i);
            for (int k = 0; k < n; k++) s[k] += wi * x[x0 + k * in + i];
        }
        for (int k = 0; k < n; k++) y[(m0 + k) * out + r] = s[k];
    }

    /**
     * Weight rows r, r+1 against inputs m0..m0+n-1 (n <= 4): a 2 x 4 register tile, so each loaded vector feeds
     * several FMAs (6 loads per 8 FMAs instead of 5 per 4), which is what batched decoding is bound by.
     */
    private static void twoRowsUpToFourInputs(MemorySegment w, int out, int in, float[] x, int n, int m0, float[] y, int r) {
        long o0 = (long) r * in * Float.BYTES, o1 = o0 + (long) in * Float.BYTES;
        int bound = F.loopBound(in);
        int x0 = m0 * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (long li = 0; li < bound; li += LANES) { // a long counter: C2 then drops the segment's per-load checks
            int i = (int) li;
            FloatVector w0 = FloatVector.fromMemorySegment(F, w, o0 + li * Float.BYTES, ORDER);
            FloatVector w1 = FloatVector.fromMemorySegment(F, w, o1 + li * Float.BYTES, ORDER);
            FloatVector v = FloatVector.fromArray(F, x, x0 + i);
            a0 = w0.fma(v, a0);
            b0 = w1.fma(v, b0);
            if (n > 1) {
                v = FloatVector.fromArray(F, x, x1 + i);
                a1 = w0.fma(v, a1);
                b1 = w1.fma(v, b1);
            }
            if (n > 2) {
                v = FloatVector.fromArray(F, x, x2 + i);
                a2 = w0.fma(v, a2);
                b2 = w1.fma(v, b2);
            }
            if (n > 3) {
                v = FloatVector.fromArray(F, x, x3 + i);
                a3 = w0.fma(v, a3);
                b3 = w1.fma(v, b3);
            }
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
        float[] t = {b0.reduceLanes(VectorOperators.ADD), b1.reduceLanes(VectorOperators.ADD),
                b2.reduceLanes(VectorOperators.ADD), b3.reduceLanes(VectorOperators.ADD)};
        for (int i = bound; i < in; i++) {
            float wi = weight(w, o0, i), wj = weight(w, o1, i);
            for (int k = 0; k < n; k++) {
                s[k] += wi * x[x0 + k * in + i];
                t[k] += wj * x[x0 + k * in + i];
            }
        }
        for (int k = 0; k < n; k++) {
            y[(m0 + k) * out + r] = s[k];
            y[(m0 + k) * out + r + 1] = t[k];
        }
    }

    private static float weight(MemorySegment w, long rowOffset, int i) {
        return w.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, rowOffset + (long) i * Float.BYTES);
    }
}
