package dev.dca.runtime.gguf;

import static dev.dca.runtime.gguf.GgufReader.ARRAY;
import static dev.dca.runtime.gguf.GgufReader.BOOL;
import static dev.dca.runtime.gguf.GgufReader.FLOAT32;
import static dev.dca.runtime.gguf.GgufReader.INT32;
import static dev.dca.runtime.gguf.GgufReader.STRING;
import static dev.dca.runtime.gguf.GgufReader.UINT32;
import static dev.dca.runtime.gguf.GgufReader.UINT64;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes GGUF v3 files: typed metadata and tensors in F32, F16, BF16 or Q8_0 (quantized with ggml's reference
 * {@code quantize_row_q8_0_ref}). For benchmarks and tests; tensor values are produced lazily one tensor at a
 * time, so writing a model needs memory for one tensor, not the whole model.
 *
 * <p>Shapes are given in PyTorch order ({@code [out, in]}) and stored reversed, as llama.cpp does. The caller
 * chooses the GGUF tensor names and, for {@code llama} files, the interleaved q/k row order.
 */
public final class GgufWriter {

    private static final int ALIGNMENT = GgufReader.DEFAULT_ALIGNMENT;

    private record Value(int type, int elemType, Object value) {}

    private record PendingTensor(String name, long[] shape, GgmlType type, Supplier<float[]> values) {}

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String v) { return put(key, STRING, v); }
    public GgufWriter putUInt32(String key, long v) { return put(key, UINT32, v); }
    public GgufWriter putInt32(String key, int v) { return put(key, INT32, v); }
    public GgufWriter putUInt64(String key, long v) { return put(key, UINT64, v); }
    public GgufWriter putFloat32(String key, float v) { return put(key, FLOAT32, v); }
    public GgufWriter putBool(String key, boolean v) { return put(key, BOOL, v); }

    public GgufWriter putStrings(String key, List<String> v) {
        metadata.put(key, new Value(ARRAY, STRING, List.copyOf(v)));
        return this;
    }

    public GgufWriter putFloats(String key, float[] v) {
        metadata.put(key, new Value(ARRAY, FLOAT32, v.clone()));
        return this;
    }

    public GgufWriter putInts(String key, int[] v) {
        metadata.put(key, new Value(ARRAY, INT32, v.clone()));
        return this;
    }

    private GgufWriter put(String key, int type, Object v) {
        metadata.put(key, new Value(type, -1, v));
        return this;
    }

    /** The types {@link #encode} writes. */
    public static final java.util.Set<GgmlType> WRITES = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(GgmlType.F32, GgmlType.F16,
            GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL));

    /**
     * Adds a tensor whose values (row-major, PyTorch order) are computed when the file is written.
     *
     * @param type one of {@link #WRITES}
     */
    public GgufWriter addTensor(String name, long[] shape, GgmlType type, Supplier<float[]> values) {
        if (!WRITES.contains(type)) throw new IllegalArgumentException("GgufWriter writes " + WRITES + ", not " + type);
        if (shape[shape.length - 1] % type.blockSize != 0) {
            throw new IllegalArgumentException(name + ": row length " + shape[shape.length - 1] + " is not a multiple of " + type.blockSize);
        }
        tensors.add(new PendingTensor(name, shape.clone(), type, values));
        return this;
    }

    public GgufWriter addTensor(String name, long[] shape, GgmlType type, float[] values) {
        return addTensor(name, shape, type, () -> values);
    }

    public void write(Path path) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    public void write(OutputStream out) throws IOException {
        Sink s = new Sink(out);
        s.u32(GgufReader.MAGIC);
        s.u32(3);
        s.u64(tensors.size());
        s.u64(metadata.size());
        for (Map.Entry<String, Value> e : metadata.entrySet()) {
            s.string(e.getKey());
            Value v = e.getValue();
            s.u32(v.type());
            if (v.type() == ARRAY) {
                s.u32(v.elemType());
                switch (v.value()) {
                    case List<?> l -> { s.u64(l.size()); for (Object o : l) s.string((String) o); }
                    case float[] f -> { s.u64(f.length); for (float x : f) s.u32(Float.floatToRawIntBits(x)); }
                    case int[] a -> { s.u64(a.length); for (int x : a) s.u32(x); }
                    default -> throw new IllegalStateException();
                }
            } else {
                scalar(s, v.type(), v.value());
            }
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            s.string(t.name());
            s.u32(t.shape().length);
            for (int d = t.shape().length - 1; d >= 0; d--) s.u64(t.shape()[d]);
            s.u32(t.type().id);
            s.u64(offset);
            offset = GgufReader.align(offset + t.type().byteSize(elements(t.shape())), ALIGNMENT);
        }
        s.pad();
        for (PendingTensor t : tensors) {
            float[] values = t.values().get();
            if (values.length != elements(t.shape())) {
                throw new IllegalArgumentException(t.name() + ": " + values.length + " values for shape " + java.util.Arrays.toString(t.shape()));
            }
            s.bytes(encode(t.type(), values));
            s.pad();
        }
        out.flush();
    }

    private static void scalar(Sink s, int type, Object v) throws IOException {
        switch (type) {
            case STRING -> s.string((String) v);
            case UINT32 -> s.u32((int) (long) (Long) v);
            case INT32 -> s.u32((Integer) v);
            case UINT64 -> s.u64((Long) v);
            case FLOAT32 -> s.u32(Float.floatToRawIntBits((Float) v));
            case BOOL -> s.bytes(new byte[] {(byte) ((Boolean) v ? 1 : 0)});
            default -> throw new IllegalStateException("type " + type);
        }
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /**
     * Encodes floats in {@code type} (F32, F16, BF16 round-to-nearest-even, Q8_0, Q4_0, Q5_0 and Q5_1 by ggml's reference, Q4_K,
     * Q5_K, Q6_K and IQ4_NL by plain fits, see {@link #quantizeQ4_K}, {@link #quantizeQ6_K} and {@link #quantizeIq4Nl}).
     */
    public static byte[] encode(GgmlType type, float[] x) {
        ByteBuffer b = ByteBuffer.allocate((int) type.byteSize(x.length)).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> { for (float v : x) b.putFloat(v); }
            case F16 -> { for (float v : x) b.putShort(Float.floatToFloat16(v)); }
            case BF16 -> { for (float v : x) b.putShort(toBf16(v)); }
            case Q8_0 -> quantizeQ8_0(x, b);
            case Q4_0 -> quantizeQ4_0(x, b);
            case Q5_0 -> quantizeQ5_0(x, b);
            case Q5_1 -> quantizeQ5_1(x, b);
            case Q4_K -> quantizeQ4_K(x, b);
            case Q5_K -> quantizeQ5_K(x, b);
            case Q6_K -> quantizeQ6_K(x, b);
            case IQ4_NL -> quantizeIq4Nl(x, b);
            default -> throw new IllegalArgumentException("cannot encode " + type);
        }
        return b.array();
    }

    /** ggml's {@code GGML_FP32_TO_BF16}: round to nearest even; NaN stays a quiet NaN. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 64);
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    /** {@code quantize_row_q8_0_ref}: d = max|x| / 127 per 32 values, q = roundf(x / d). */
    private static void quantizeQ8_0(float[] x, ByteBuffer b) {
        for (int i = 0; i < x.length; i += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[i + j]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            b.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                float v = x[i + j] * id;
                b.put((byte) (v < 0 ? -Math.round(-v) : Math.round(v))); // roundf: half away from zero
            }
        }
    }

    /** The value of largest magnitude among x[i..i+31] (the first one on ties), sign kept: ggml's {@code max}. */
    private static float largestMagnitude(float[] x, int i) {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++) {
            if (amax < Math.abs(x[i + j])) {
                amax = Math.abs(x[i + j]);
                max = x[i + j];
            }
        }
        return max;
    }

    /**
     * {@code quantize_row_q4_0_ref}: per 32 values d = (the value of largest magnitude) / -8, q = min(15, (int) (x / d
     * + 8.5)); values j and j + 16 share byte j (low and high nibble).
     */
    private static void quantizeQ4_0(float[] x, ByteBuffer b) {
        for (int i = 0; i < x.length; i += 32) {
            float d = largestMagnitude(x, i) / -8, id = d != 0 ? 1f / d : 0f;
            b.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (x[i + j] * id + 8.5f)), hi = Math.min(15, (int) (x[i + 16 + j] * id + 8.5f));
                b.put((byte) (lo | hi << 4));
            }
        }
    }

    /**
     * {@code quantize_row_q5_0_ref}: per 32 values d = (the value of largest magnitude) / -16, q = min(31, (int) (x / d
     * + 16.5)); low nibbles as Q4_0, the fifth bits of values j and j + 16 in bits j and j + 16 of a 32-bit qh.
     */
    private static void quantizeQ5_0(float[] x, ByteBuffer b) {
        for (int i = 0; i < x.length; i += 32) {
            float d = largestMagnitude(x, i) / -16, id = d != 0 ? 1f / d : 0f;
            int[] q = new int[32];
            for (int j = 0; j < 32; j++) q[j] = Math.min(31, (int) (x[i + j] * id + 16.5f));
            putFiveBitBlock(b.putShort(Float.floatToFloat16(d)), q);
        }
    }

    /** {@code quantize_row_q5_1_ref}: per 32 values d = (max - min) / 31 and m = min, q = (int) ((x - min) / d + 0.5). */
    private static void quantizeQ5_1(float[] x, ByteBuffer b) {
        for (int i = 0; i < x.length; i += 32) {
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < 32; j++) {
                min = Math.min(min, x[i + j]);
                max = Math.max(max, x[i + j]);
            }
            float d = (max - min) / 31, id = d != 0 ? 1f / d : 0f;
            int[] q = new int[32];
            for (int j = 0; j < 32; j++) q[j] = Math.min(31, (int) ((x[i + j] - min) * id + 0.5f));
            putFiveBitBlock(b.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(min)), q);
        }
    }

    /**
     * IQ4_NL blocks by a plain fit, not ggml's scale search: per 32 values d = (the value of largest magnitude) / -127
     * (so it is level 0 exactly), then each value's nearest level; Q4_0's nibble layout.
     */
    private static void quantizeIq4Nl(float[] x, ByteBuffer b) {
        int[] levels = GgufDequantizer.IQ4_NL_LEVELS;
        for (int i = 0; i < x.length; i += 32) {
            short d16 = Float.floatToFloat16(largestMagnitude(x, i) / -127);
            float d = Float.float16ToFloat(d16);
            int[] q = new int[32];
            for (int j = 0; j < 32; j++) {
                float best = Float.MAX_VALUE;
                for (int k = 0; k < 16; k++) {
                    float err = Math.abs(d * levels[k] - x[i + j]);
                    if (err < best) {
                        best = err;
                        q[j] = k;
                    }
                }
            }
            b.putShort(d16);
            for (int j = 0; j < 16; j++) b.put((byte) (q[j] | q[j + 16] << 4));
        }
    }

    /** A Q5 block's qh (bit j: the fifth bit of value j) and qs (byte j: values j and j + 16, low nibbles). */
    private static void putFiveBitBlock(ByteBuffer b, int[] q) {
        int qh = 0;
        for (int j = 0; j < 32; j++) qh |= ((q[j] >> 4) & 1) << j;
        b.putInt(qh);
        for (int j = 0; j < 16; j++) b.put((byte) ((q[j] & 0xF) | (q[j + 16] & 0xF) << 4));
    }

    /**
     * Q4_K blocks (per 256 values: F16 d and dmin, 8 packed 6-bit (scale, min) pairs, 128 bytes of nibbles) by a plain
     * min/max fit per run of 32, not ggml's iterative {@code make_qkx2_quants}: valid blocks that every Q4_K reader
     * decodes the same way, with a somewhat larger error than llama.cpp's. For random-weight benchmark files.
     */
    private static void quantizeQ4_K(float[] x, ByteBuffer b) {
        quantizeK(x, b, 4);
    }

    /** Q5_K blocks: {@link #quantizeQ4_K}'s fit with 32 levels, each value's fifth bit in 32 qh bytes after the scales. */
    private static void quantizeQ5_K(float[] x, ByteBuffer b) {
        quantizeK(x, b, 5);
    }

    /** Q4_K ({@code bits} 4) or Q5_K (5): per run of 32, scale = (max - min) / levels and min = -min, then 6-bit steps. */
    private static void quantizeK(float[] x, ByteBuffer b, int bits) {
        int top = (1 << bits) - 1;
        for (int i = 0; i < x.length; i += 256) {
            float[] scale = new float[8], min = new float[8];
            for (int j = 0; j < 8; j++) {
                float lo = 0, hi = 0;
                for (int l = 0; l < 32; l++) {
                    lo = Math.min(lo, x[i + 32 * j + l]);
                    hi = Math.max(hi, x[i + 32 * j + l]);
                }
                scale[j] = (hi - lo) / top;
                min[j] = -lo;
            }
            float d = 0, dmin = 0;
            for (int j = 0; j < 8; j++) {
                d = Math.max(d, scale[j] / 63);
                dmin = Math.max(dmin, min[j] / 63);
            }
            short d16 = Float.floatToFloat16(d), dmin16 = Float.floatToFloat16(dmin);
            float dq = Float.float16ToFloat(d16), mq = Float.float16ToFloat(dmin16);
            int[] sc = new int[8], m = new int[8];
            for (int j = 0; j < 8; j++) {
                sc[j] = dq == 0 ? 0 : Math.min(63, Math.round(scale[j] / dq));
                m[j] = mq == 0 ? 0 : Math.min(63, Math.round(min[j] / mq));
            }
            b.putShort(d16).putShort(dmin16);
            byte[] packed = new byte[12]; // the inverse of get_scale_min_k4
            for (int j = 0; j < 4; j++) {
                packed[j] = (byte) (sc[j] | (sc[j + 4] >> 4) << 6);
                packed[j + 4] = (byte) (m[j] | (m[j + 4] >> 4) << 6);
                packed[j + 8] = (byte) ((sc[j + 4] & 0xF) | (m[j + 4] & 0xF) << 4);
            }
            b.put(packed);
            int[] q = new int[256];
            for (int v = 0; v < 256; v++) q[v] = level(x[i + v], dq * sc[v / 32], mq * m[v / 32], top);
            if (bits == 5) { // bit 2j (run 2j) and 2j + 1 (run 2j + 1) of byte l: the fifth bit of value l of the run
                for (int l = 0; l < 32; l++) {
                    int h = 0;
                    for (int run = 0; run < 8; run++) h |= (q[32 * run + l] >> 4) << run;
                    b.put((byte) h);
                }
            }
            for (int j = 0; j < 4; j++) { // 32 bytes: run 2j in the low nibbles, run 2j + 1 in the high ones
                for (int l = 0; l < 32; l++) b.put((byte) ((q[64 * j + l] & 0xF) | (q[64 * j + 32 + l] & 0xF) << 4));
            }
        }
    }

    /**
     * Q6_K blocks (per 256 values: 128 bytes of low nibbles, 64 of 2-bit high parts, 16 int8 scales, F16 d) by a plain
     * fit per run of 16 (scale = max|x| / 31, the scales then to int8 steps of d = max scale / 127), not ggml's
     * iterative {@code make_qx_quants}. Like {@link #quantizeQ4_K}: valid blocks for random-weight benchmark files.
     */
    private static void quantizeQ6_K(float[] x, ByteBuffer b) {
        for (int i = 0; i < x.length; i += 256) {
            float[] scale = new float[16];
            float maxScale = 0;
            for (int g = 0; g < 16; g++) {
                float amax = 0;
                for (int l = 0; l < 16; l++) amax = Math.max(amax, Math.abs(x[i + 16 * g + l]));
                scale[g] = amax / 31;
                maxScale = Math.max(maxScale, scale[g]);
            }
            short d16 = Float.floatToFloat16(maxScale / 127);
            float d = Float.float16ToFloat(d16);
            byte[] sc = new byte[16];
            int[] q = new int[256]; // 0..63, i.e. the value + 32
            for (int g = 0; g < 16; g++) {
                sc[g] = (byte) (d == 0 ? 0 : Math.min(127, Math.round(scale[g] / d)));
                float step = d * sc[g];
                for (int l = 0; l < 16; l++) {
                    int v = step == 0 ? 0 : Math.max(-32, Math.min(31, Math.round(x[i + 16 * g + l] / step)));
                    q[16 * g + l] = v + 32;
                }
            }
            byte[] ql = new byte[128], qh = new byte[64]; // the inverse of dequantize_row_q6_K's unpacking
            for (int n = 0; n < 2; n++) {
                for (int l = 0; l < 32; l++) {
                    int q1 = q[128 * n + l], q2 = q[128 * n + l + 32], q3 = q[128 * n + l + 64], q4 = q[128 * n + l + 96];
                    ql[64 * n + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                    ql[64 * n + l + 32] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                    qh[32 * n + l] = (byte) ((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
                }
            }
            b.put(ql).put(qh).put(sc).putShort(d16);
        }
    }

    /** The q in [0, top] with scale * q - offset nearest to v. */
    private static int level(float v, float scale, float offset, int top) {
        return scale == 0 ? 0 : Math.max(0, Math.min(top, Math.round((v + offset) / scale)));
    }

    /** Little-endian output with position tracking for alignment padding. */
    private static final class Sink {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long position;

        Sink(OutputStream out) { this.out = out; }

        void u32(int v) throws IOException {
            scratch.clear();
            scratch.putInt(v);
            bytes(scratch.array(), 4);
        }

        void u32(long v) throws IOException { u32((int) v); }

        void u64(long v) throws IOException {
            scratch.clear();
            scratch.putLong(v);
            bytes(scratch.array(), 8);
        }

        void string(String v) throws IOException {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void bytes(byte[] b) throws IOException { bytes(b, b.length); }

        void bytes(byte[] b, int n) throws IOException {
            out.write(b, 0, n);
            position += n;
        }

        void pad() throws IOException {
            long target = GgufReader.align(position, ALIGNMENT);
            bytes(new byte[(int) (target - position)]);
        }
    }
}
