package dev.dca.runtime.engine;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DecodeMatMul}: {@code y = x W^T} for a handful of rows (decode steps: one row per sequence), with the JDK Vector API, reading W
 * in place from the engine's F32 weight memory and splitting its rows over the cores.
 *
 * <p>Why by hand: PyTorch's CPU linear for 1-8 rows runs on one core at ~14 GB/s whatever its thread count (measured,
 * see docs/BENCHMARKS.md), while decoding is nothing but streaming the weights once per step. Two cores streaming
 * four rows at a time read ~31 GB/s here. Prefill and larger batches, which are compute-bound, stay on PyTorch.
 *
 * <p>Found by {@link DecodeMatMul#vectorApi()}; needs Java 22+ and {@code --add-modules jdk.incubator.vector}, which
 * {@code ./dca} and the test setup pass.
 */
final class VectorMatMul implements DecodeMatMul {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int THREADS = Math.max(1,
            Integer.getInteger("dca.matmul.threads", Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors())));
    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "dca-matmul");
        t.setDaemon(true);
        return t;
    });


    @Override
    public float[] multiply(ByteBuffer weights, int out, int in, float[] x, int rows, float[] bias) {
        MemorySegment w = MemorySegment.ofBuffer(weights);
        float[] y = new float[rows * out];
        int chunks = Math.min(THREADS, Math.max(1, out / 64));
        if (chunks == 1) {
            range(w, out, in, x, rows, y, 0, out);
        } else {
            // row ranges in multiples of 4 so each worker keeps four weight streams in flight
            int per = ((out + chunks - 1) / chunks + 3) & ~3;
            List<Future<?>> pending = new ArrayList<>(chunks - 1);
            for (int c = 1; c < chunks; c++) {
                int r0 = Math.min(out, c * per), r1 = Math.min(out, r0 + per);
                pending.add(POOL.submit(() -> range(w, out, in, x, rows, y, r0, r1)));
            }
            range(w, out, in, x, rows, y, 0, Math.min(out, per));
            try {
                for (Future<?> f : pending) f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during a decode step", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("matmul worker failed", e.getCause());
            }
        }
        if (bias != null) {
            for (int m = 0; m < rows; m++) for (int r = 0; r < out; r++) y[m * out + r] += bias[r];
        }
        return y;
    }

    private static void range(MemorySegment w, int out, int in, float[] x, int rows, float[] y, int r0, int r1) {
        if (rows == 1) {
            oneInput(w, out, in, x, y, r0, r1);
        } else {
            for (int r = r0; r < r1; r++) for (int m = 0; m < rows; m += 4) upToFourInputs(w, out, in, x, Math.min(4, rows - m), m, y, r);
        }
    }

    /** One input against weight rows r0..r1, four rows at a time (four independent memory streams). */
    private static void oneInput(MemorySegment w, int out, int in, float[] x, float[] y, int r0, int r1) {
        long rowBytes = (long) in * Float.BYTES;
        int bound = F.loopBound(in);
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            long o = r * rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (; i < bound; i += LANES) {
                FloatVector xv = FloatVector.fromArray(F, x, i);
                long at = o + (long) i * Float.BYTES;
                a0 = FloatVector.fromMemorySegment(F, w, at, ORDER).fma(xv, a0);
                a1 = FloatVector.fromMemorySegment(F, w, at + rowBytes, ORDER).fma(xv, a1);
                a2 = FloatVector.fromMemorySegment(F, w, at + 2 * rowBytes, ORDER).fma(xv, a2);
                a3 = FloatVector.fromMemorySegment(F, w, at + 3 * rowBytes, ORDER).fma(xv, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; i < in; i++) {
                float xi = x[i];
                s0 += weight(w, o, i) * xi;
                s1 += weight(w, o + rowBytes, i) * xi;
                s2 += weight(w, o + 2 * rowBytes, i) * xi;
                s3 += weight(w, o + 3 * rowBytes, i) * xi;
            }
            y[r] = s0;
            y[r + 1] = s1;
            y[r + 2] = s2;
            y[r + 3] = s3;
        }
        for (; r < r1; r++) upToFourInputs(w, out, in, x, 1, 0, y, r);
    }

    /** Weight row r against inputs m0..m0+n-1 (n <= 4): the row is read once from memory, then from L1. */
    private static void upToFourInputs(MemorySegment w, int out, int in, float[] x, int n, int m0, float[] y, int r) {
        long o = (long) r * in * Float.BYTES;
        int bound = F.loopBound(in);
        int x0 = m0 * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i < bound; i += LANES) {
            FloatVector wv = FloatVector.fromMemorySegment(F, w, o + (long) i * Float.BYTES, ORDER);
            a0 = wv.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            if (n > 1) a1 = wv.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            if (n > 2) a2 = wv.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            if (n > 3) a3 = wv.fma(FloatVector.fromArray(F, x, x3 + i), a3);
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
        for (; i < in; i++) {
            float wi = weight(w, o, i);
            for (int k = 0; k < n; k++) s[k] += wi * x[x0 + k * in + i];
        }
        for (int k = 0; k < n; k++) y[(m0 + k) * out + r] = s[k];
    }

    private static float weight(MemorySegment w, long rowOffset, int i) {
        return w.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, rowOffset + (long) i * Float.BYTES);
    }
}
