package dev.dca.runtime.engine;

import dev.dca.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32, BF16 and Q8_0 matrices laid out again at load in panels of {@link #P} rows (one vector's lanes), so that one
 * vector load gives the same column of P weight rows. Lanes then run over weight rows: an input's element is broadcast and
 * meets P rows in one FMA, so the weights are widened once per column and shared by every input in registers, and a
 * panel's results land in y as one vector store, with no horizontal sums and no widened copy in L2 (the row-major
 * path's cost for several inputs; see {@link VectorMatMul#widenedTiles}).
 *
 * <p>Layouts:
 * <ul>
 *   <li>F32 (native order): per panel, per column, the P rows' values. The same bytes as row-major, moved.</li>
 *   <li>BF16 (little-endian, as is Q8_0): per panel, per column pair j, P ints; int l holds row l's columns 2j (low
 *       half) and 2j + 1 (high half), so {@code bits << 16} and {@code bits & 0xffff0000} give the two columns of P
 *       rows as F32, exactly. The same bytes as row-major, moved.</li>
 *   <li>Q8_0: per panel, per 32-column block, the P rows' scales as F32 (widened once here) then, per column, the P
 *       rows' int8 values: 36 bytes per 32 weights against the file's 34. A weight (scale x int8) stays exact in
 *       F32, so the products are those of the row-major kernels; only the summation order differs.</li>
 * </ul>
 *
 * <p>Why by hand: no library lays out weights for the JDK's vectors. Measured over the 121 products of a SmolLM2-135M
 * step (16 lanes, two threads, panels and row-major alternating in one JVM): batch 8 took 10.7 ms against 22.7 for
 * BF16 and 10.5 against 19.1 for Q8_0, batch 1 7.0 against 7.4 and 6.5 against 7.3 (docs/BENCHMARKS.md, session
 * 12); on AVX2 (8 lanes, session 13) batch 8 took 31.4 / 37.6 ms (best / median) against 54.4 / 56.8 for BF16 and
 * 28.5 / 38.8 against 39.4 / 54.4 for Q8_0. Inner loops count in a {@code long} (the segment offsets are longs; an
 * {@code int} counter measured 25% slower for one input) up to a bound computed before the loop. The three formats'
 * kernels for four and eight inputs (both kinds, see {@link #WIDE}) repeat one block of FMAs and their stores line for
 * line, deliberately: a shared helper takes or hands back eight or sixteen vectors, and where C2 did not inline one
 * it boxed them for every panel (a store helper did: 10.6 GB allocated in one batch-8 bench). Larger bodies call no
 * helper at all: past C2's node budget for inlining ({@code NodeCountInliningCutoff}) even {@link #all} stays a call,
 * which is why the eight-input BF16 kernel unrolled to two column pairs ran 10x slower in session 13, and why
 * {@link #bf16x8x2} spells out its broadcasts and widening.
 */
final class PanelKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Rows per panel: one vector's lanes. */
    static final int P = F.length();
    /**
     * Whether panels exist at this vector width: 8 or 16 float lanes (AVX2, AVX-512), where they were measured. With 4
     * (SSE, NEON) a panel column of Q8_0 would be a 32-bit byte vector, which the Vector API has no shape for.
     */
    static final boolean SUPPORTED = (P == 8 || P == 16) && I.length() == P;
    /** P int8 values: one panel column of a Q8_0 block (null where panels are not {@link #SUPPORTED}). */
    private static final VectorSpecies<Byte> B = SUPPORTED ? VectorSpecies.of(byte.class, VectorShape.forBitSize(P * 8)) : null;
    /** Bytes of one 32-column block of a Q8_0 panel: P scales (F32) and 32 columns of P int8. */
    private static final int Q8_BLOCK = 4 * P + 32 * P;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    /** F32 matrices are in native order, like the engine's tensors (see {@link DecodeStep.Matrix}). */
    private static final ValueLayout.OfFloat FLOAT_NATIVE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /**
     * Whether the kernels for eight inputs keep sixteen accumulators (even and odd columns apart), as on 16-lane
     * machines with 32 vector registers; with 8 lanes (AVX2: 16 registers) sixteen would spill, so the "n" kernels
     * keep eight, each taking a column pair's two FMAs. On AVX2 (Zen 3) the eight-accumulator BF16 kernel measured
     * 171 decode tok/s at batch 8 against 139-160 for two groups of four and 145 for the spilled sixteen.
     */
    private static final boolean WIDE = P >= 16;

    private PanelKernels() {}

    /** Whether matrices of {@code type} have a panel layout at this vector width. */
    static boolean packs(GgmlType type) {
        return SUPPORTED && (type == GgmlType.F32 || type == GgmlType.BF16 || type == GgmlType.Q8_0);
    }

    /** Whether a [rows, in] matrix of {@code type} can be held in panels: whole panels, whole column pairs or blocks. */
    static boolean packable(GgmlType type, int rows, int in) {
        return packs(type) && rows % P == 0 && in % (type == GgmlType.Q8_0 ? 32 : 2) == 0;
    }

    /**
     * Parts of one type (e.g. a file's q, k and v), each [rows[i], in], as the panels of their concatenation. One
     * writable F32 or BF16 part is laid out in its own memory (the same bytes, moved); otherwise the panels are written
     * straight into new {@link HugePages} memory: joining the parts first would hold a third copy until the collector
     * frees it.
     */
    static DecodeStep.Matrix pack(GgmlType type, List<ByteBuffer> parts, int[] rows, int in) {
        int total = 0;
        for (int r : rows) {
            if (!packable(type, r, in)) throw new IllegalArgumentException(type + " [" + r + ", " + in + "] cannot be held in panels of " + P);
            total += r;
        }
        boolean inPlace = parts.size() == 1 && type != GgmlType.Q8_0 && !parts.getFirst().isReadOnly();
        ByteBuffer out = inPlace ? parts.getFirst() : allocate(type, total, in);
        MemorySegment dst = MemorySegment.ofBuffer(out);
        long at = 0;
        for (int i = 0; i < parts.size(); i++) {
            packPanels(type, MemorySegment.ofBuffer(parts.get(i)), rows[i] / P, dst, at, in);
            at += (long) rows[i] / P * panelBytes(type, in);
        }
        return new DecodeStep.Matrix(type, out, total, P);
    }

    private static ByteBuffer allocate(GgmlType type, int rows, int in) {
        return HugePages.allocate((long) rows / P * panelBytes(type, in)).order(type == GgmlType.F32 ? ByteOrder.nativeOrder() : LE);
    }

    /** Bytes of one panel of a [P, in] slice. */
    private static long panelBytes(GgmlType type, int in) {
        return switch (type) {
            case F32 -> 4L * P * in;
            case BF16 -> 2L * P * in;
            default -> (long) (in / 32) * Q8_BLOCK;
        };
    }

    /**
     * The first {@code panels} panels of row-major src into dst from byte offset at, one panel at a time through
     * arrays (a panel is read whole before it is written, so dst may be src).
     */
    private static void packPanels(GgmlType type, MemorySegment src, int panels, MemorySegment dst, long at, int in) {
        long bytes = panelBytes(type, in);
        switch (type) {
            case F32 -> {
                float[] rows = new float[P * in], panel = new float[P * in];
                for (int p = 0; p < panels; p++) {
                    MemorySegment.copy(src, FLOAT_NATIVE, p * bytes, rows, 0, P * in);
                    for (int l = 0; l < P; l++) for (int k = 0; k < in; k++) panel[k * P + l] = rows[l * in + k];
                    MemorySegment.copy(panel, 0, dst, FLOAT_NATIVE, at + p * bytes, P * in);
                }
            }
            case BF16 -> {
                short[] rows = new short[P * in], panel = new short[P * in];
                for (int p = 0; p < panels; p++) {
                    MemorySegment.copy(src, SHORT_LE, p * bytes, rows, 0, P * in);
                    for (int l = 0; l < P; l++) {
                        for (int j = 0; j < in / 2; j++) {
                            panel[(j * P + l) * 2] = rows[l * in + 2 * j];
                            panel[(j * P + l) * 2 + 1] = rows[l * in + 2 * j + 1];
                        }
                    }
                    MemorySegment.copy(panel, 0, dst, SHORT_LE, at + p * bytes, P * in);
                }
            }
            default -> {
                int blocks = in / 32;
                byte[] rows = new byte[P * blocks * 34], panel = new byte[blocks * Q8_BLOCK];
                ByteBuffer scales = ByteBuffer.wrap(panel).order(LE);
                for (int p = 0; p < panels; p++) {
                    MemorySegment.copy(src, ValueLayout.JAVA_BYTE, (long) p * rows.length, rows, 0, rows.length);
                    for (int b = 0; b < blocks; b++) {
                        int o = b * Q8_BLOCK;
                        for (int l = 0; l < P; l++) {
                            int from = (l * blocks + b) * 34; // ggml's block: F16 scale, 32 int8
                            scales.putFloat(o + 4 * l, Float.float16ToFloat((short) ((rows[from] & 0xff) | rows[from + 1] << 8)));
                            for (int k = 0; k < 32; k++) panel[o + 4 * P + k * P + l] = rows[from + 2 + k];
                        }
                    }
                    MemorySegment.copy(panel, 0, dst, ValueLayout.JAVA_BYTE, at + p * bytes, panel.length);
                }
            }
        }
    }

    /** Row r of a matrix in panels as F32 into dst[at..]: the embedding lookup. */
    static void row(DecodeStep.Matrix m, int in, int r, float[] dst, int at) {
        MemorySegment w = MemorySegment.ofBuffer(m.data());
        int p = r / P, l = r % P;
        if (m.type() == GgmlType.F32) {
            long base = ((long) p * P * in + l) * 4;
            for (int k = 0; k < in; k++) dst[at + k] = w.get(FLOAT_NATIVE, base + (long) k * P * 4);
            return;
        }
        if (m.type() == GgmlType.BF16) {
            long base = (long) p * P * in * 2 + 2L * l * 2;
            for (int k = 0; k < in; k++) dst[at + k] = Bf16.widen(w.get(SHORT_LE, base + (long) (k / 2) * P * 4 + (k % 2) * 2));
            return;
        }
        int blocks = in / 32;
        for (int b = 0; b < blocks; b++) {
            long bb = ((long) p * blocks + b) * Q8_BLOCK;
            float scale = w.get(FLOAT_LE, bb + 4L * l);
            for (int k = 0; k < 32; k++) dst[at + b * 32 + k] = scale * w.get(ValueLayout.JAVA_BYTE, bb + 4L * P + (long) k * P + l);
        }
    }

    /**
     * y = x m^T + bias for any number of inputs: each worker's panels in order, against the inputs in groups of
     * eight (two panels at a time where the machine has 32 vector registers, four for BF16: see {@link #bf16x8x2} and
     * {@link #bf16x4x4}), then one group of four, then one input at a time (a BF16 panel is 18-49 KB for SmolLM2's
     * widths: it stays in L1 or L2 while the groups pass).
     */
    static float[] multiply(DecodeStep.Matrix m, int in, float[] x, int rows, float[] bias) {
        return multiply(m, in, x, rows, bias, WIDE);
    }

    /** {@link #multiply} with the kernels for eight inputs chosen by {@code wide} (see {@link #WIDE}); tests run both kinds on any machine. */
    static float[] multiply(DecodeStep.Matrix m, int in, float[] x, int rows, float[] bias, boolean wide) {
        MemorySegment w = MemorySegment.ofBuffer(m.data());
        int out = m.rows();
        GgmlType type = m.type();
        // five to seven left over run as a group of eight, two to four as a group of four, the missing inputs zero:
        // a panel's pass costs about the same for any count up to its group's, while a pass per single input
        // re-reads the panel (batch 6 measured 15.4 ms for the products of a SmolLM2-135M step as 4 + 1 + 1, 11.3
        // for batch 8)
        int left = rows % 8, eights = rows / 8 + (left >= 5 ? 1 : 0), m4 = Math.min(rows, 8 * eights);
        float[] xt = eights > 0 ? grouped(x, rows, 0, 8 * eights, in, 8) : null;
        float[] x4 = rows - m4 >= 2 ? grouped(x, rows, m4, 4, in, 4) : null;
        // BF16 groups of eight as two groups of four, for bf16x4x4
        float[] xq = type == GgmlType.BF16 && wide && eights > 0 ? grouped(x, rows, 0, 8 * eights, in, 4) : null;
        int singles = x4 != null ? rows : m4;
        return VectorMatMul.overRowRanges(out, rows, P, bias, (y, r0, r1) -> {
            for (int r = r0; r < r1; ) {
                long base = (long) (r / P) * panelBytes(type, in);
                int span = span(type, wide, m4, xq != null, (r1 - r) / P);
                for (int i = 0; i < m4; i += 8) groupOfEight(type, wide, span, w, base, in, xt, xq, i, Math.min(8, rows - i), y, out, r);
                for (int panel = 0; panel < span; panel++) {
                    long at = base + panel * panelBytes(type, in);
                    int rp = r + panel * P;
                    if (x4 != null) fours(type, w, at, in, x4, m4, rows - m4, y, out, rp);
                    for (int i = singles; i < rows; i++) single(type, wide, w, at, in, x, i, y, out, rp);
                }
                r += span * P;
            }
        });
    }

    /**
     * How many of the {@code left} panels one pass takes against the groups of eight: four for BF16 (two passes of four
     * inputs, {@link #bf16x4x4}), two for F32 and Q8_0, on 32-register machines. F32 only past one group (prefill), where
     * the panels stay in cache between groups: a decode step's single group streams F32 at the memory's rate already,
     * and the pair measured 7% slower there (batch-8 decode, three alternating bench rounds), 13% faster in prefill.
     */
    private static int span(GgmlType type, boolean wide, int m4, boolean quads, int left) {
        if (!wide || m4 == 0 || (type == GgmlType.F32 && m4 <= 8)) return 1;
        if (quads && left >= 4) return 4;
        return left >= 2 ? 2 : 1;
    }

    /** Inputs m..m+n-1 (n <= 8) against the {@code span} panels from byte offset base (rows r..). */
    private static void groupOfEight(GgmlType type, boolean wide, int span, MemorySegment w, long base, int in, float[] xt, float[] xq, int m, int n,
            float[] y, int out, int r) {
        switch (type) {
            case F32 -> {
                if (span == 2) f32x8x2(w, base, in, xt, m, n, y, out, r);
                else if (wide) f32x8(w, base, in, xt, m, n, y, out, r);
                else f32x8n(w, base, in, xt, m, n, y, out, r);
            }
            case BF16 -> {
                if (span == 4) {
                    bf16x4x4(w, base, in, xq, m, Math.min(4, n), y, out, r);
                    if (n > 4) bf16x4x4(w, base, in, xq, m + 4, n - 4, y, out, r);
                } else if (span == 2) bf16x8x2(w, base, in, xt, m, n, y, out, r);
                else if (wide) bf16x8(w, base, in, xt, m, n, y, out, r);
                else bf16x8n(w, base, in, xt, m, n, y, out, r);
            }
            default -> {
                if (span == 2) q8x8x2(w, base, in, xt, m, n, y, out, r);
                else if (wide) q8x8(w, base, in, xt, m, n, y, out, r);
                else q8x8n(w, base, in, xt, m, n, y, out, r);
            }
        }
    }

    /** Inputs m..m+n-1 (2 <= n <= 4; x4 from {@link #grouped}) against the panel at byte offset at. */
    private static void fours(GgmlType type, MemorySegment w, long at, int in, float[] x4, int m, int n, float[] y, int out, int r) {
        switch (type) {
            case F32 -> f32x4(w, at, in, x4, m, n, y, out, r);
            case BF16 -> bf16x4(w, at, in, x4, m, n, y, out, r);
            default -> q8x4(w, at, in, x4, m, n, y, out, r);
        }
    }

    /** Input m against the panel at byte offset at. */
    private static void single(GgmlType type, boolean wide, MemorySegment w, long at, int in, float[] x, int m, float[] y, int out, int r) {
        switch (type) {
            case F32 -> f32x1(w, at, in, x, m, y, out, r);
            case BF16 -> {
                if (wide) bf16x1w(w, at, in, x, m, y, out, r);
                else bf16x1(w, at, in, x, m, y, out, r);
            }
            default -> q8x1(w, at, in, x, m, y, out, r);
        }
    }

    /**
     * Inputs m0..m0+count-1 of x (zeros past its last row) in groups of {@code g}, each [in][g]: a column's g values
     * are neighbours, read at one running index. Reading them from x's rows (eight indexes a row apart) measured
     * 19-26 ms for the batch-8 products of a SmolLM2-135M step against 12.6-14.6 this way.
     */
    private static float[] grouped(float[] x, int rows, int m0, int count, int in, int g) {
        float[] t = new float[count * in];
        for (int j = 0; j < count && m0 + j < rows; j++) {
            int at = j / g * g * in + j % g, from = (m0 + j) * in;
            for (int k = 0; k < in; k++) t[at + k * g] = x[from + k];
        }
        return t;
    }

    /**
     * The BF16 panel against inputs m..m+n-1 (n <= 8) (xt from {@link #grouped}): even and odd columns in separate accumulators,
     * sixteen chains of one FMA per column pair.
     */
    private static void bf16x8(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long pairs = in / 2, stride = 4L * P;
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (long j = 0; j < pairs; j++) {
            IntVector v = IntVector.fromMemorySegment(I, w, base + j * stride, LE);
            FloatVector e = even(v), o = odd(v);
            int k = x0 + 16 * (int) j;
            a0 = e.fma(all(xt[k]), a0);
            a1 = e.fma(all(xt[k + 1]), a1);
            a2 = e.fma(all(xt[k + 2]), a2);
            a3 = e.fma(all(xt[k + 3]), a3);
            a4 = e.fma(all(xt[k + 4]), a4);
            a5 = e.fma(all(xt[k + 5]), a5);
            a6 = e.fma(all(xt[k + 6]), a6);
            a7 = e.fma(all(xt[k + 7]), a7);
            b0 = o.fma(all(xt[k + 8]), b0);
            b1 = o.fma(all(xt[k + 9]), b1);
            b2 = o.fma(all(xt[k + 10]), b2);
            b3 = o.fma(all(xt[k + 11]), b3);
            b4 = o.fma(all(xt[k + 12]), b4);
            b5 = o.fma(all(xt[k + 13]), b5);
            b6 = o.fma(all(xt[k + 14]), b6);
            b7 = o.fma(all(xt[k + 15]), b7);
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.add(b0).intoArray(y, y0);
        if (n > 1) a1.add(b1).intoArray(y, y0 + out);
        if (n > 2) a2.add(b2).intoArray(y, y0 + 2 * out);
        if (n > 3) a3.add(b3).intoArray(y, y0 + 3 * out);
        if (n > 4) a4.add(b4).intoArray(y, y0 + 4 * out);
        if (n > 5) a5.add(b5).intoArray(y, y0 + 5 * out);
        if (n > 6) a6.add(b6).intoArray(y, y0 + 6 * out);
        if (n > 7) a7.add(b7).intoArray(y, y0 + 7 * out);
    }

    /**
     * {@link #bf16x8} over two neighbouring panels at once (rows r..r+2P-1): each input broadcast meets both panels'
     * column, so a column pair costs 16 broadcasts for 32 FMAs instead of 16 for 16; even and odd columns share an
     * accumulator (sixteen, one per input and panel). The broadcasts were the limit, not the FMAs. Measured on session
     * 16's Zen 5, two threads, alternating with {@link #bf16x8} in one JVM over 3072 x 576 matrices: 27-45 GB/s against
     * 23-34 with the matrix in cache; from memory 19-20 against 9-15 in one run, level (16.0 against 16.2) in another.
     * Whole {@code dca bench} runs, alternating: batch-8 decode +0-29%, prefill +2-44%. Written out in full, with no helper calls:
     * past C2's node budget for inlining, a helper returning a vector stays a call and every vector is boxed (10x slower).
     */
    private static void bf16x8x2(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long pairs = in / 2, stride = 4L * P, second = base + panelBytes(GgmlType.BF16, in);
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (long j = 0; j < pairs; j++) {
            IntVector u = IntVector.fromMemorySegment(I, w, base + j * stride, LE), v = IntVector.fromMemorySegment(I, w, second + j * stride, LE);
            FloatVector ue = u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), uo = u.and(0xffff0000).reinterpretAsFloats();
            FloatVector ve = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), vo = v.and(0xffff0000).reinterpretAsFloats();
            int k = x0 + 16 * (int) j;
            FloatVector e, o;
            e = FloatVector.broadcast(F, xt[k]);
            o = FloatVector.broadcast(F, xt[k + 8]);
            a0 = uo.fma(o, ue.fma(e, a0));
            b0 = vo.fma(o, ve.fma(e, b0));
            e = FloatVector.broadcast(F, xt[k + 1]);
            o = FloatVector.broadcast(F, xt[k + 9]);
            a1 = uo.fma(o, ue.fma(e, a1));
            b1 = vo.fma(o, ve.fma(e, b1));
            e = FloatVector.broadcast(F, xt[k + 2]);
            o = FloatVector.broadcast(F, xt[k + 10]);
            a2 = uo.fma(o, ue.fma(e, a2));
            b2 = vo.fma(o, ve.fma(e, b2));
            e = FloatVector.broadcast(F, xt[k + 3]);
            o = FloatVector.broadcast(F, xt[k + 11]);
            a3 = uo.fma(o, ue.fma(e, a3));
            b3 = vo.fma(o, ve.fma(e, b3));
            e = FloatVector.broadcast(F, xt[k + 4]);
            o = FloatVector.broadcast(F, xt[k + 12]);
            a4 = uo.fma(o, ue.fma(e, a4));
            b4 = vo.fma(o, ve.fma(e, b4));
            e = FloatVector.broadcast(F, xt[k + 5]);
            o = FloatVector.broadcast(F, xt[k + 13]);
            a5 = uo.fma(o, ue.fma(e, a5));
            b5 = vo.fma(o, ve.fma(e, b5));
            e = FloatVector.broadcast(F, xt[k + 6]);
            o = FloatVector.broadcast(F, xt[k + 14]);
            a6 = uo.fma(o, ue.fma(e, a6));
            b6 = vo.fma(o, ve.fma(e, b6));
            e = FloatVector.broadcast(F, xt[k + 7]);
            o = FloatVector.broadcast(F, xt[k + 15]);
            a7 = uo.fma(o, ue.fma(e, a7));
            b7 = vo.fma(o, ve.fma(e, b7));
        }
        int y0 = m * out + r, y1 = y0 + P;
        a0.intoArray(y, y0);
        b0.intoArray(y, y1);
        if (n > 1) a1.intoArray(y, y0 + out);
        if (n > 1) b1.intoArray(y, y1 + out);
        if (n > 2) a2.intoArray(y, y0 + 2 * out);
        if (n > 2) b2.intoArray(y, y1 + 2 * out);
        if (n > 3) a3.intoArray(y, y0 + 3 * out);
        if (n > 3) b3.intoArray(y, y1 + 3 * out);
        if (n > 4) a4.intoArray(y, y0 + 4 * out);
        if (n > 4) b4.intoArray(y, y1 + 4 * out);
        if (n > 5) a5.intoArray(y, y0 + 5 * out);
        if (n > 5) b5.intoArray(y, y1 + 5 * out);
        if (n > 6) a6.intoArray(y, y0 + 6 * out);
        if (n > 6) b6.intoArray(y, y1 + 6 * out);
        if (n > 7) a7.intoArray(y, y0 + 7 * out);
        if (n > 7) b7.intoArray(y, y1 + 7 * out);
    }

    /**
     * Four neighbouring BF16 panels (rows r..r+4P-1) against the {@code n <= 4} inputs m..m+3 (xq: groups of four from
     * {@link #grouped}): sixteen accumulators, one per input and panel, even and odd columns together. A group of eight
     * takes two passes, the second reading the four panels from L2; the first loads four lines per 56 instructions
     * against {@link #bf16x8x2}'s two per 58, so more of the weights' reads are in flight while the FMAs run. Measured on
     * session 16's Zen 5 (two threads, alternating with {@link #bf16x8x2} in one JVM, medians of 20 rounds, matrices from
     * memory): 19.8 and 23.7 GB/s against 16.9 and 18.3 (3072 x 576), 17.4 against 15.3 (576 x 576) and 15.0 (960 x
     * 576); level with the matrix in cache (44.8 against 43.5). No helper calls, for the reason given at bf16x8x2.
     */
    private static void bf16x4x4(MemorySegment w, long base, int in, float[] xq, int m, int n, float[] y, int out, int r) {
        long pairs = in / 2, stride = 4L * P, pb = panelBytes(GgmlType.BF16, in);
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        for (long j = 0; j < pairs; j++) {
            long at = base + j * stride;
            IntVector u = IntVector.fromMemorySegment(I, w, at, LE), v = IntVector.fromMemorySegment(I, w, at + pb, LE);
            IntVector s = IntVector.fromMemorySegment(I, w, at + 2 * pb, LE), t = IntVector.fromMemorySegment(I, w, at + 3 * pb, LE);
            FloatVector ue = u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), uo = u.and(0xffff0000).reinterpretAsFloats();
            FloatVector ve = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), vo = v.and(0xffff0000).reinterpretAsFloats();
            FloatVector se = s.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), so = s.and(0xffff0000).reinterpretAsFloats();
            FloatVector te = t.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), to = t.and(0xffff0000).reinterpretAsFloats();
            int k = x0 + 8 * (int) j;
            FloatVector e, o;
            e = FloatVector.broadcast(F, xq[k]);
            o = FloatVector.broadcast(F, xq[k + 4]);
            a0 = uo.fma(o, ue.fma(e, a0));
            b0 = vo.fma(o, ve.fma(e, b0));
            c0 = so.fma(o, se.fma(e, c0));
            d0 = to.fma(o, te.fma(e, d0));
            e = FloatVector.broadcast(F, xq[k + 1]);
            o = FloatVector.broadcast(F, xq[k + 5]);
            a1 = uo.fma(o, ue.fma(e, a1));
            b1 = vo.fma(o, ve.fma(e, b1));
            c1 = so.fma(o, se.fma(e, c1));
            d1 = to.fma(o, te.fma(e, d1));
            e = FloatVector.broadcast(F, xq[k + 2]);
            o = FloatVector.broadcast(F, xq[k + 6]);
            a2 = uo.fma(o, ue.fma(e, a2));
            b2 = vo.fma(o, ve.fma(e, b2));
            c2 = so.fma(o, se.fma(e, c2));
            d2 = to.fma(o, te.fma(e, d2));
            e = FloatVector.broadcast(F, xq[k + 3]);
            o = FloatVector.broadcast(F, xq[k + 7]);
            a3 = uo.fma(o, ue.fma(e, a3));
            b3 = vo.fma(o, ve.fma(e, b3));
            c3 = so.fma(o, se.fma(e, c3));
            d3 = to.fma(o, te.fma(e, d3));
        }
        int y0 = m * out + r;
        a0.intoArray(y, y0);
        b0.intoArray(y, y0 + P);
        c0.intoArray(y, y0 + 2 * P);
        d0.intoArray(y, y0 + 3 * P);
        if (n > 1) {
            a1.intoArray(y, y0 + out);
            b1.intoArray(y, y0 + out + P);
            c1.intoArray(y, y0 + out + 2 * P);
            d1.intoArray(y, y0 + out + 3 * P);
        }
        if (n > 2) {
            a2.intoArray(y, y0 + 2 * out);
            b2.intoArray(y, y0 + 2 * out + P);
            c2.intoArray(y, y0 + 2 * out + 2 * P);
            d2.intoArray(y, y0 + 2 * out + 3 * P);
        }
        if (n > 3) {
            a3.intoArray(y, y0 + 3 * out);
            b3.intoArray(y, y0 + 3 * out + P);
            c3.intoArray(y, y0 + 3 * out + 2 * P);
            d3.intoArray(y, y0 + 3 * out + 3 * P);
        }
    }

    /** {@link #f32x8} over two neighbouring panels at once, as {@link #bf16x8x2} does for BF16 (columns k and k + 1 share an accumulator). */
    private static void f32x8x2(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long stride = 4L * P, cols = in, second = base + panelBytes(GgmlType.F32, in);
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (long k = 0; k < cols; k += 2) {
            FloatVector ue = FloatVector.fromMemorySegment(F, w, base + k * stride, ByteOrder.nativeOrder());
            FloatVector uo = FloatVector.fromMemorySegment(F, w, base + (k + 1) * stride, ByteOrder.nativeOrder());
            FloatVector ve = FloatVector.fromMemorySegment(F, w, second + k * stride, ByteOrder.nativeOrder());
            FloatVector vo = FloatVector.fromMemorySegment(F, w, second + (k + 1) * stride, ByteOrder.nativeOrder());
            int xk = x0 + 8 * (int) k;
            FloatVector e, o;
            e = FloatVector.broadcast(F, xt[xk]);
            o = FloatVector.broadcast(F, xt[xk + 8]);
            a0 = uo.fma(o, ue.fma(e, a0));
            b0 = vo.fma(o, ve.fma(e, b0));
            e = FloatVector.broadcast(F, xt[xk + 1]);
            o = FloatVector.broadcast(F, xt[xk + 9]);
            a1 = uo.fma(o, ue.fma(e, a1));
            b1 = vo.fma(o, ve.fma(e, b1));
            e = FloatVector.broadcast(F, xt[xk + 2]);
            o = FloatVector.broadcast(F, xt[xk + 10]);
            a2 = uo.fma(o, ue.fma(e, a2));
            b2 = vo.fma(o, ve.fma(e, b2));
            e = FloatVector.broadcast(F, xt[xk + 3]);
            o = FloatVector.broadcast(F, xt[xk + 11]);
            a3 = uo.fma(o, ue.fma(e, a3));
            b3 = vo.fma(o, ve.fma(e, b3));
            e = FloatVector.broadcast(F, xt[xk + 4]);
            o = FloatVector.broadcast(F, xt[xk + 12]);
            a4 = uo.fma(o, ue.fma(e, a4));
            b4 = vo.fma(o, ve.fma(e, b4));
            e = FloatVector.broadcast(F, xt[xk + 5]);
            o = FloatVector.broadcast(F, xt[xk + 13]);
            a5 = uo.fma(o, ue.fma(e, a5));
            b5 = vo.fma(o, ve.fma(e, b5));
            e = FloatVector.broadcast(F, xt[xk + 6]);
            o = FloatVector.broadcast(F, xt[xk + 14]);
            a6 = uo.fma(o, ue.fma(e, a6));
            b6 = vo.fma(o, ve.fma(e, b6));
            e = FloatVector.broadcast(F, xt[xk + 7]);
            o = FloatVector.broadcast(F, xt[xk + 15]);
            a7 = uo.fma(o, ue.fma(e, a7));
            b7 = vo.fma(o, ve.fma(e, b7));
        }
        int y0 = m * out + r, y1 = y0 + P;
        a0.intoArray(y, y0);
        b0.intoArray(y, y1);
        if (n > 1) a1.intoArray(y, y0 + out);
        if (n > 1) b1.intoArray(y, y1 + out);
        if (n > 2) a2.intoArray(y, y0 + 2 * out);
        if (n > 2) b2.intoArray(y, y1 + 2 * out);
        if (n > 3) a3.intoArray(y, y0 + 3 * out);
        if (n > 3) b3.intoArray(y, y1 + 3 * out);
        if (n > 4) a4.intoArray(y, y0 + 4 * out);
        if (n > 4) b4.intoArray(y, y1 + 4 * out);
        if (n > 5) a5.intoArray(y, y0 + 5 * out);
        if (n > 5) b5.intoArray(y, y1 + 5 * out);
        if (n > 6) a6.intoArray(y, y0 + 6 * out);
        if (n > 6) b6.intoArray(y, y1 + 6 * out);
        if (n > 7) a7.intoArray(y, y0 + 7 * out);
        if (n > 7) b7.intoArray(y, y1 + 7 * out);
    }

    /** {@link #q8x8} over two neighbouring panels at once, as {@link #bf16x8x2} does for BF16 (columns k and k + 1 share an accumulator). */
    private static void q8x8x2(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long blocks = in / 32, second = base + panelBytes(GgmlType.Q8_0, in);
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (long lb = 0; lb < blocks; lb++) {
            long ub = base + lb * Q8_BLOCK, vb = second + lb * Q8_BLOCK;
            FloatVector us = FloatVector.fromMemorySegment(F, w, ub, LE), vs = FloatVector.fromMemorySegment(F, w, vb, LE);
            for (long k = 0; k < 32; k += 2) {
                FloatVector ue = ((FloatVector) ByteVector.fromMemorySegment(B, w, ub + 4L * P + k * P, LE).convertShape(VectorOperators.B2F, F, 0)).mul(us);
                FloatVector uo = ((FloatVector) ByteVector.fromMemorySegment(B, w, ub + 4L * P + (k + 1) * P, LE).convertShape(VectorOperators.B2F, F, 0)).mul(us);
                FloatVector ve = ((FloatVector) ByteVector.fromMemorySegment(B, w, vb + 4L * P + k * P, LE).convertShape(VectorOperators.B2F, F, 0)).mul(vs);
                FloatVector vo = ((FloatVector) ByteVector.fromMemorySegment(B, w, vb + 4L * P + (k + 1) * P, LE).convertShape(VectorOperators.B2F, F, 0)).mul(vs);
                int xk = x0 + 8 * (int) (lb * 32 + k);
                FloatVector e, o;
                e = FloatVector.broadcast(F, xt[xk]);
                o = FloatVector.broadcast(F, xt[xk + 8]);
                a0 = uo.fma(o, ue.fma(e, a0));
                b0 = vo.fma(o, ve.fma(e, b0));
                e = FloatVector.broadcast(F, xt[xk + 1]);
                o = FloatVector.broadcast(F, xt[xk + 9]);
                a1 = uo.fma(o, ue.fma(e, a1));
                b1 = vo.fma(o, ve.fma(e, b1));
                e = FloatVector.broadcast(F, xt[xk + 2]);
                o = FloatVector.broadcast(F, xt[xk + 10]);
                a2 = uo.fma(o, ue.fma(e, a2));
                b2 = vo.fma(o, ve.fma(e, b2));
                e = FloatVector.broadcast(F, xt[xk + 3]);
                o = FloatVector.broadcast(F, xt[xk + 11]);
                a3 = uo.fma(o, ue.fma(e, a3));
                b3 = vo.fma(o, ve.fma(e, b3));
                e = FloatVector.broadcast(F, xt[xk + 4]);
                o = FloatVector.broadcast(F, xt[xk + 12]);
                a4 = uo.fma(o, ue.fma(e, a4));
                b4 = vo.fma(o, ve.fma(e, b4));
                e = FloatVector.broadcast(F, xt[xk + 5]);
                o = FloatVector.broadcast(F, xt[xk + 13]);
                a5 = uo.fma(o, ue.fma(e, a5));
                b5 = vo.fma(o, ve.fma(e, b5));
                e = FloatVector.broadcast(F, xt[xk + 6]);
                o = FloatVector.broadcast(F, xt[xk + 14]);
                a6 = uo.fma(o, ue.fma(e, a6));
                b6 = vo.fma(o, ve.fma(e, b6));
                e = FloatVector.broadcast(F, xt[xk + 7]);
                o = FloatVector.broadcast(F, xt[xk + 15]);
                a7 = uo.fma(o, ue.fma(e, a7));
                b7 = vo.fma(o, ve.fma(e, b7));
            }
        }
        int y0 = m * out + r, y1 = y0 + P;
        a0.intoArray(y, y0);
        b0.intoArray(y, y1);
        if (n > 1) a1.intoArray(y, y0 + out);
        if (n > 1) b1.intoArray(y, y1 + out);
        if (n > 2) a2.intoArray(y, y0 + 2 * out);
        if (n > 2) b2.intoArray(y, y1 + 2 * out);
        if (n > 3) a3.intoArray(y, y0 + 3 * out);
        if (n > 3) b3.intoArray(y, y1 + 3 * out);
        if (n > 4) a4.intoArray(y, y0 + 4 * out);
        if (n > 4) b4.intoArray(y, y1 + 4 * out);
        if (n > 5) a5.intoArray(y, y0 + 5 * out);
        if (n > 5) b5.intoArray(y, y1 + 5 * out);
        if (n > 6) a6.intoArray(y, y0 + 6 * out);
        if (n > 6) b6.intoArray(y, y1 + 6 * out);
        if (n > 7) a7.intoArray(y, y0 + 7 * out);
        if (n > 7) b7.intoArray(y, y1 + 7 * out);
    }

    /** {@link #bf16x8} with eight accumulators (see {@link #WIDE}). */
    private static void bf16x8n(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long pairs = in / 2, stride = 4L * P;
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long j = 0; j < pairs; j++) {
            IntVector v = IntVector.fromMemorySegment(I, w, base + j * stride, LE);
            FloatVector e = even(v), o = odd(v);
            int k = x0 + 16 * (int) j;
            a0 = e.fma(all(xt[k]), a0);
            a1 = e.fma(all(xt[k + 1]), a1);
            a2 = e.fma(all(xt[k + 2]), a2);
            a3 = e.fma(all(xt[k + 3]), a3);
            a4 = e.fma(all(xt[k + 4]), a4);
            a5 = e.fma(all(xt[k + 5]), a5);
            a6 = e.fma(all(xt[k + 6]), a6);
            a7 = e.fma(all(xt[k + 7]), a7);
            a0 = o.fma(all(xt[k + 8]), a0);
            a1 = o.fma(all(xt[k + 9]), a1);
            a2 = o.fma(all(xt[k + 10]), a2);
            a3 = o.fma(all(xt[k + 11]), a3);
            a4 = o.fma(all(xt[k + 12]), a4);
            a5 = o.fma(all(xt[k + 13]), a5);
            a6 = o.fma(all(xt[k + 14]), a6);
            a7 = o.fma(all(xt[k + 15]), a7);
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.intoArray(y, y0);
        if (n > 1) a1.intoArray(y, y0 + out);
        if (n > 2) a2.intoArray(y, y0 + 2 * out);
        if (n > 3) a3.intoArray(y, y0 + 3 * out);
        if (n > 4) a4.intoArray(y, y0 + 4 * out);
        if (n > 5) a5.intoArray(y, y0 + 5 * out);
        if (n > 6) a6.intoArray(y, y0 + 6 * out);
        if (n > 7) a7.intoArray(y, y0 + 7 * out);
    }

    /** The even BF16 of each 32-bit lane (its low half) as F32, exactly; {@link VectorDecodeStep} widens BF16 keys and values with these too. */
    static FloatVector even(IntVector v) {
        return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The odd BF16 of each 32-bit lane (its high half) as F32, exactly. */
    static FloatVector odd(IntVector v) {
        return v.and(0xffff0000).reinterpretAsFloats();
    }

    private static FloatVector all(float v) {
        return FloatVector.broadcast(F, v);
    }

    /** The BF16 panel at byte offset base against input m: four accumulators (two column pairs per pass). */
    private static void bf16x1(MemorySegment w, long base, int in, float[] x, int m, float[] y, int out, int r) {
        long pairs = in / 2, stride = 4L * P, end = pairs & ~1;
        int x0 = m * in;
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
        for (long j = 0; j < end; j += 2) {
            long at = base + j * stride;
            IntVector u = IntVector.fromMemorySegment(I, w, at, LE), v = IntVector.fromMemorySegment(I, w, at + stride, LE);
            int k = x0 + 2 * (int) j;
            a = even(u).fma(all(x[k]), a);
            b = odd(u).fma(all(x[k + 1]), b);
            c = even(v).fma(all(x[k + 2]), c);
            d = odd(v).fma(all(x[k + 3]), d);
        }
        if (end < pairs) {
            IntVector u = IntVector.fromMemorySegment(I, w, base + end * stride, LE);
            int k = x0 + 2 * (int) end;
            a = even(u).fma(all(x[k]), a);
            b = odd(u).fma(all(x[k + 1]), b);
        }
        a.add(b).add(c.add(d)).intoArray(y, m * out + r);
    }

    /**
     * {@link #bf16x1} with four column pairs per pass and eight accumulators, where there are 32 vector registers
     * ({@link #WIDE}). Measured on session 16's Zen 5 over the 121 products of a SmolLM2-135M step (BF16 panels, two
     * threads, alternating with bf16x1 step by step in one JVM, medians of 100 steps, four runs): 10.59, 8.89, 9.29 and
     * 8.54 ms against 11.23, 9.27, 10.12 and 8.77.
     */
    private static void bf16x1w(MemorySegment w, long base, int in, float[] x, int m, float[] y, int out, int r) {
        long pairs = in / 2, stride = 4L * P, end = pairs & ~3;
        int x0 = m * in;
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a, e = a, f = a, g = a, h = a;
        long j = 0;
        for (; j < end; j += 4) {
            long at = base + j * stride;
            IntVector u = IntVector.fromMemorySegment(I, w, at, LE), v = IntVector.fromMemorySegment(I, w, at + stride, LE);
            IntVector s = IntVector.fromMemorySegment(I, w, at + 2 * stride, LE), t = IntVector.fromMemorySegment(I, w, at + 3 * stride, LE);
            int k = x0 + 2 * (int) j;
            a = u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k]), a);
            b = u.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 1]), b);
            c = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 2]), c);
            d = v.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 3]), d);
            e = s.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 4]), e);
            f = s.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 5]), f);
            g = t.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 6]), g);
            h = t.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 7]), h);
        }
        for (; j < pairs; j++) {
            IntVector u = IntVector.fromMemorySegment(I, w, base + j * stride, LE);
            int k = x0 + 2 * (int) j;
            a = u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k]), a);
            b = u.and(0xffff0000).reinterpretAsFloats().fma(FloatVector.broadcast(F, x[k + 1]), b);
        }
        a.add(b).add(c.add(d)).add(e.add(f).add(g.add(h))).intoArray(y, m * out + r);
    }

    /** The BF16 panel against inputs m..m+n-1 (n <= 4) (xt: them as [in][4], from {@link #grouped}): even and odd columns in separate accumulators. */
    private static void bf16x4(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long pairs = in / 2, stride = 4L * P;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (long j = 0; j < pairs; j++) {
            IntVector v = IntVector.fromMemorySegment(I, w, base + j * stride, LE);
            FloatVector e = even(v), o = odd(v);
            int k = 8 * (int) j;
            a0 = e.fma(all(xt[k]), a0);
            a1 = e.fma(all(xt[k + 1]), a1);
            a2 = e.fma(all(xt[k + 2]), a2);
            a3 = e.fma(all(xt[k + 3]), a3);
            b0 = o.fma(all(xt[k + 4]), b0);
            b1 = o.fma(all(xt[k + 5]), b1);
            b2 = o.fma(all(xt[k + 6]), b2);
            b3 = o.fma(all(xt[k + 7]), b3);
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.add(b0).intoArray(y, y0);
        if (n > 1) a1.add(b1).intoArray(y, y0 + out);
        if (n > 2) a2.add(b2).intoArray(y, y0 + 2 * out);
        if (n > 3) a3.add(b3).intoArray(y, y0 + 3 * out);
    }

    /** P F32 weights (one column of a panel) at byte offset at. */
    private static FloatVector f32(MemorySegment w, long at) {
        return FloatVector.fromMemorySegment(F, w, at, ByteOrder.nativeOrder());
    }

    /** The F32 panel at byte offset base against input m: four accumulators over the columns. */
    private static void f32x1(MemorySegment w, long base, int in, float[] x, int m, float[] y, int out, int r) {
        long stride = 4L * P, end = in & ~3; // a loop bound computed once: "k + 3 < in" as the test measured 13% slower
        int x0 = m * in;
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
        for (long k = 0; k < end; k += 4) {
            long at = base + k * stride;
            int xk = x0 + (int) k;
            a = f32(w, at).fma(all(x[xk]), a);
            b = f32(w, at + stride).fma(all(x[xk + 1]), b);
            c = f32(w, at + 2 * stride).fma(all(x[xk + 2]), c);
            d = f32(w, at + 3 * stride).fma(all(x[xk + 3]), d);
        }
        for (long k = end; k < in; k++) a = f32(w, base + k * stride).fma(all(x[x0 + (int) k]), a);
        a.add(b).add(c.add(d)).intoArray(y, m * out + r);
    }

    /** The F32 panel against inputs m..m+n-1 (n <= 4) (xt: them as [in][4], from {@link #grouped}): even and odd columns in separate accumulators. */
    private static void f32x4(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long stride = 4L * P, cols = in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (long k = 0; k < cols; k += 2) {
            FloatVector e = f32(w, base + k * stride), o = f32(w, base + (k + 1) * stride);
            int xk = 4 * (int) k;
            a0 = e.fma(all(xt[xk]), a0);
            a1 = e.fma(all(xt[xk + 1]), a1);
            a2 = e.fma(all(xt[xk + 2]), a2);
            a3 = e.fma(all(xt[xk + 3]), a3);
            b0 = o.fma(all(xt[xk + 4]), b0);
            b1 = o.fma(all(xt[xk + 5]), b1);
            b2 = o.fma(all(xt[xk + 6]), b2);
            b3 = o.fma(all(xt[xk + 7]), b3);
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.add(b0).intoArray(y, y0);
        if (n > 1) a1.add(b1).intoArray(y, y0 + out);
        if (n > 2) a2.add(b2).intoArray(y, y0 + 2 * out);
        if (n > 3) a3.add(b3).intoArray(y, y0 + 3 * out);
    }

    /** The F32 panel against inputs m..m+n-1 (n <= 8) (xt from {@link #grouped}): even and odd columns in separate accumulators. */
    private static void f32x8(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long stride = 4L * P, cols = in;
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (long k = 0; k < cols; k += 2) {
            FloatVector e = f32(w, base + k * stride), o = f32(w, base + (k + 1) * stride);
            int xk = x0 + 8 * (int) k;
            a0 = e.fma(all(xt[xk]), a0);
            a1 = e.fma(all(xt[xk + 1]), a1);
            a2 = e.fma(all(xt[xk + 2]), a2);
            a3 = e.fma(all(xt[xk + 3]), a3);
            a4 = e.fma(all(xt[xk + 4]), a4);
            a5 = e.fma(all(xt[xk + 5]), a5);
            a6 = e.fma(all(xt[xk + 6]), a6);
            a7 = e.fma(all(xt[xk + 7]), a7);
            b0 = o.fma(all(xt[xk + 8]), b0);
            b1 = o.fma(all(xt[xk + 9]), b1);
            b2 = o.fma(all(xt[xk + 10]), b2);
            b3 = o.fma(all(xt[xk + 11]), b3);
            b4 = o.fma(all(xt[xk + 12]), b4);
            b5 = o.fma(all(xt[xk + 13]), b5);
            b6 = o.fma(all(xt[xk + 14]), b6);
            b7 = o.fma(all(xt[xk + 15]), b7);
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.add(b0).intoArray(y, y0);
        if (n > 1) a1.add(b1).intoArray(y, y0 + out);
        if (n > 2) a2.add(b2).intoArray(y, y0 + 2 * out);
        if (n > 3) a3.add(b3).intoArray(y, y0 + 3 * out);
        if (n > 4) a4.add(b4).intoArray(y, y0 + 4 * out);
        if (n > 5) a5.add(b5).intoArray(y, y0 + 5 * out);
        if (n > 6) a6.add(b6).intoArray(y, y0 + 6 * out);
        if (n > 7) a7.add(b7).intoArray(y, y0 + 7 * out);
    }

    /** {@link #f32x8} with eight accumulators (see {@link #WIDE}). */
    private static void f32x8n(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long stride = 4L * P, cols = in;
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long c = 0; c < cols; c += 2) {
            FloatVector e = f32(w, base + c * stride), o = f32(w, base + (c + 1) * stride);
            int k = x0 + 8 * (int) c;
            a0 = e.fma(all(xt[k]), a0);
            a1 = e.fma(all(xt[k + 1]), a1);
            a2 = e.fma(all(xt[k + 2]), a2);
            a3 = e.fma(all(xt[k + 3]), a3);
            a4 = e.fma(all(xt[k + 4]), a4);
            a5 = e.fma(all(xt[k + 5]), a5);
            a6 = e.fma(all(xt[k + 6]), a6);
            a7 = e.fma(all(xt[k + 7]), a7);
            a0 = o.fma(all(xt[k + 8]), a0);
            a1 = o.fma(all(xt[k + 9]), a1);
            a2 = o.fma(all(xt[k + 10]), a2);
            a3 = o.fma(all(xt[k + 11]), a3);
            a4 = o.fma(all(xt[k + 12]), a4);
            a5 = o.fma(all(xt[k + 13]), a5);
            a6 = o.fma(all(xt[k + 14]), a6);
            a7 = o.fma(all(xt[k + 15]), a7);
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.intoArray(y, y0);
        if (n > 1) a1.intoArray(y, y0 + out);
        if (n > 2) a2.intoArray(y, y0 + 2 * out);
        if (n > 3) a3.intoArray(y, y0 + 3 * out);
        if (n > 4) a4.intoArray(y, y0 + 4 * out);
        if (n > 5) a5.intoArray(y, y0 + 5 * out);
        if (n > 6) a6.intoArray(y, y0 + 6 * out);
        if (n > 7) a7.intoArray(y, y0 + 7 * out);
    }

    /** Column k of a Q8_0 panel block at bb, times the P rows' scales: P weights as F32. */
    private static FloatVector q8(MemorySegment w, long bb, long k, FloatVector scales) {
        return ((FloatVector) ByteVector.fromMemorySegment(B, w, bb + 4L * P + k * P, LE).convertShape(VectorOperators.B2F, F, 0)).mul(scales);
    }

    /** The Q8_0 panel at byte offset base against input m: four accumulators over the columns. */
    private static void q8x1(MemorySegment w, long base, int in, float[] x, int m, float[] y, int out, int r) {
        long blocks = in / 32;
        int x0 = m * in;
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
        for (long lb = 0; lb < blocks; lb++) {
            long bb = base + lb * Q8_BLOCK;
            FloatVector s = FloatVector.fromMemorySegment(F, w, bb, LE);
            int xb = x0 + (int) lb * 32;
            for (long k = 0; k < 32; k += 4) {
                int xk = xb + (int) k;
                a = q8(w, bb, k, s).fma(all(x[xk]), a);
                b = q8(w, bb, k + 1, s).fma(all(x[xk + 1]), b);
                c = q8(w, bb, k + 2, s).fma(all(x[xk + 2]), c);
                d = q8(w, bb, k + 3, s).fma(all(x[xk + 3]), d);
            }
        }
        a.add(b).add(c.add(d)).intoArray(y, m * out + r);
    }

    /** The Q8_0 panel against inputs m..m+n-1 (n <= 4) (xt: them as [in][4], from {@link #grouped}): even and odd columns in separate accumulators. */
    private static void q8x4(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long blocks = in / 32;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (long lb = 0; lb < blocks; lb++) {
            long bb = base + lb * Q8_BLOCK;
            FloatVector s = FloatVector.fromMemorySegment(F, w, bb, LE);
            for (long k = 0; k < 32; k += 2) {
                FloatVector e = q8(w, bb, k, s), o = q8(w, bb, k + 1, s);
                int xk = 4 * (int) (lb * 32 + k);
                a0 = e.fma(all(xt[xk]), a0);
                a1 = e.fma(all(xt[xk + 1]), a1);
                a2 = e.fma(all(xt[xk + 2]), a2);
                a3 = e.fma(all(xt[xk + 3]), a3);
                b0 = o.fma(all(xt[xk + 4]), b0);
                b1 = o.fma(all(xt[xk + 5]), b1);
                b2 = o.fma(all(xt[xk + 6]), b2);
                b3 = o.fma(all(xt[xk + 7]), b3);
            }
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.add(b0).intoArray(y, y0);
        if (n > 1) a1.add(b1).intoArray(y, y0 + out);
        if (n > 2) a2.add(b2).intoArray(y, y0 + 2 * out);
        if (n > 3) a3.add(b3).intoArray(y, y0 + 3 * out);
    }

    /** The Q8_0 panel against inputs m..m+n-1 (n <= 8) (xt from {@link #grouped}): even and odd columns in separate accumulators. */
    private static void q8x8(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long blocks = in / 32;
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        for (long lb = 0; lb < blocks; lb++) {
            long bb = base + lb * Q8_BLOCK;
            FloatVector s = FloatVector.fromMemorySegment(F, w, bb, LE);
            for (long k = 0; k < 32; k += 2) {
                FloatVector e = q8(w, bb, k, s), o = q8(w, bb, k + 1, s);
                int xk = x0 + 8 * (int) (lb * 32 + k);
                a0 = e.fma(all(xt[xk]), a0);
                a1 = e.fma(all(xt[xk + 1]), a1);
                a2 = e.fma(all(xt[xk + 2]), a2);
                a3 = e.fma(all(xt[xk + 3]), a3);
                a4 = e.fma(all(xt[xk + 4]), a4);
                a5 = e.fma(all(xt[xk + 5]), a5);
                a6 = e.fma(all(xt[xk + 6]), a6);
                a7 = e.fma(all(xt[xk + 7]), a7);
                b0 = o.fma(all(xt[xk + 8]), b0);
                b1 = o.fma(all(xt[xk + 9]), b1);
                b2 = o.fma(all(xt[xk + 10]), b2);
                b3 = o.fma(all(xt[xk + 11]), b3);
                b4 = o.fma(all(xt[xk + 12]), b4);
                b5 = o.fma(all(xt[xk + 13]), b5);
                b6 = o.fma(all(xt[xk + 14]), b6);
                b7 = o.fma(all(xt[xk + 15]), b7);
            }
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.add(b0).intoArray(y, y0);
        if (n > 1) a1.add(b1).intoArray(y, y0 + out);
        if (n > 2) a2.add(b2).intoArray(y, y0 + 2 * out);
        if (n > 3) a3.add(b3).intoArray(y, y0 + 3 * out);
        if (n > 4) a4.add(b4).intoArray(y, y0 + 4 * out);
        if (n > 5) a5.add(b5).intoArray(y, y0 + 5 * out);
        if (n > 6) a6.add(b6).intoArray(y, y0 + 6 * out);
        if (n > 7) a7.add(b7).intoArray(y, y0 + 7 * out);
    }

    /** {@link #q8x8} with eight accumulators (see {@link #WIDE}). */
    private static void q8x8n(MemorySegment w, long base, int in, float[] xt, int m, int n, float[] y, int out, int r) {
        long blocks = in / 32;
        int x0 = m * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long lb = 0; lb < blocks; lb++) {
            long bb = base + lb * Q8_BLOCK;
            FloatVector s = FloatVector.fromMemorySegment(F, w, bb, LE);
            for (long c = 0; c < 32; c += 2) {
                FloatVector e = q8(w, bb, c, s), o = q8(w, bb, c + 1, s);
                int k = x0 + 8 * (int) (lb * 32 + c);
                a0 = e.fma(all(xt[k]), a0);
                a1 = e.fma(all(xt[k + 1]), a1);
                a2 = e.fma(all(xt[k + 2]), a2);
                a3 = e.fma(all(xt[k + 3]), a3);
                a4 = e.fma(all(xt[k + 4]), a4);
                a5 = e.fma(all(xt[k + 5]), a5);
                a6 = e.fma(all(xt[k + 6]), a6);
                a7 = e.fma(all(xt[k + 7]), a7);
                a0 = o.fma(all(xt[k + 8]), a0);
                a1 = o.fma(all(xt[k + 9]), a1);
                a2 = o.fma(all(xt[k + 10]), a2);
                a3 = o.fma(all(xt[k + 11]), a3);
                a4 = o.fma(all(xt[k + 12]), a4);
                a5 = o.fma(all(xt[k + 13]), a5);
                a6 = o.fma(all(xt[k + 14]), a6);
                a7 = o.fma(all(xt[k + 15]), a7);
            }
        }
        int y0 = m * out + r; // stored here, not through a helper: vectors passed to a call that is not inlined are boxed
        a0.intoArray(y, y0);
        if (n > 1) a1.intoArray(y, y0 + out);
        if (n > 2) a2.intoArray(y, y0 + 2 * out);
        if (n > 3) a3.intoArray(y, y0 + 3 * out);
        if (n > 4) a4.intoArray(y, y0 + 4 * out);
        if (n > 5) a5.intoArray(y, y0 + 5 * out);
        if (n > 6) a6.intoArray(y, y0 + 6 * out);
        if (n > 7) a7.intoArray(y, y0 + 7 * out);
    }
}
