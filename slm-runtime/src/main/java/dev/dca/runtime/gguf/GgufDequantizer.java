package dev.dca.runtime.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Turns ggml-typed tensor bytes into floats with the reference formulas of ggml-quants.c
 * ({@code dequantize_row_q4_0} ... {@code dequantize_row_q6_K}); F16 and BF16 widen exactly.
 *
 * <p>Hand-written because nothing on Maven Central decodes ggml blocks. Works block-chunk by block-chunk:
 * a chunk of the mapped bytes is copied into a byte array (bulk copy), decoded into a float array with plain
 * int/float arithmetic the JIT can unroll (no boxing, no per-element buffer calls), then bulk-put to the output.
 */
public final class GgufDequantizer {

    /** Blocks decoded per chunk: 256 K-quant blocks = 64 Ki floats, small enough to stay in L2. */
    private static final int CHUNK_ELEMENTS = 1 << 16;

    private GgufDequantizer() {}

    /** Whether {@code type} can be dequantized. */
    public static boolean supports(GgmlType type) {
        return type.supported;
    }

    /**
     * Decodes {@code elements} values of {@code type} from {@code src} (little-endian, position 0..) into
     * {@code dst} at its position.
     *
     * @throws UnsupportedOperationException for types without a decoder (the IQ types but IQ4_NL, TQ*, ...)
     */
    public static void dequantize(GgmlType type, ByteBuffer src, long elements, FloatBuffer dst) {
        if (!type.supported) throw new UnsupportedOperationException("no dequantizer for ggml type " + type);
        if (elements % type.blockSize != 0) {
            throw new IllegalArgumentException(elements + " elements are not whole " + type + " blocks of " + type.blockSize);
        }
        int blocksPerChunk = Math.max(1, CHUNK_ELEMENTS / type.blockSize);
        long blocks = elements / type.blockSize;
        int chunks = (int) ((blocks + blocksPerChunk - 1) / blocksPerChunk);
        int base = dst.position();
        // big tensors are split over the cores by chunk; each chunk reads and writes its own disjoint range
        IntStream range = IntStream.range(0, chunks);
        (chunks >= 8 ? range.parallel() : range).forEach(c -> {
            long b = (long) c * blocksPerChunk;
            int nb = (int) Math.min(blocksPerChunk, blocks - b);
            if (type == GgmlType.Q8_0) { // the common quant: decode in one pass, no scratch copies (load time)
                q8_0(src, b, nb, dst, base + (int) (b * type.blockSize));
                return;
            }
            // per-chunk scratch (256 KiB of floats): short-lived young-generation garbage, no thread-locals to leak
            byte[] bytes = new byte[nb * type.typeSize];
            float[] floats = new float[nb * type.blockSize];
            // duplicates: buffers are not thread-safe objects, even for absolute access
            src.duplicate().get((int) (b * type.typeSize), bytes, 0, bytes.length);
            decode(type, bytes, nb, floats);
            dst.duplicate().put(base + (int) (b * type.blockSize), floats, 0, floats.length);
        });
        dst.position(base + (int) elements);
    }

    /** Decodes all of {@code src} into a new array (small tensors and tests). */
    public static float[] dequantize(GgmlType type, ByteBuffer src, int elements) {
        float[] out = new float[elements];
        dequantize(type, src, elements, FloatBuffer.wrap(out));
        return out;
    }

    /**
     * Decodes {@code nb} consecutive blocks of {@code in} (from index 0) into {@code out} (from index 0): one row of a
     * matrix held as stored, for kernels that widen it before use.
     */
    public static void decode(GgmlType type, byte[] in, int nb, float[] out) {
        switch (type) {
            case F32 -> f32(in, nb, out);
            case F16 -> f16(in, nb, out);
            case BF16 -> bf16(in, nb, out);
            case Q8_0 -> q8_0(in, nb, out);
            case Q4_0 -> q4_0(in, nb, out);
            case Q4_1 -> q4_1(in, nb, out);
            case Q5_0 -> q5_0(in, nb, out);
            case Q5_1 -> q5_1(in, nb, out);
            case Q2_K -> q2_k(in, nb, out);
            case Q3_K -> q3_k(in, nb, out);
            case Q4_K -> q4_k(in, nb, out);
            case Q5_K -> q5_k(in, nb, out);
            case Q6_K -> q6_k(in, nb, out);
            case IQ4_NL -> iq4_nl(in, nb, out);
            default -> throw new UnsupportedOperationException("no dequantizer for ggml type " + type);
        }
    }

    static float half(byte[] b, int o) {
        return Float.float16ToFloat((short) ((b[o] & 0xFF) | (b[o + 1] << 8)));
    }

    private static int u8(byte[] b, int o) {
        return b[o] & 0xFF;
    }

    private static int u32(byte[] b, int o) {
        return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24;
    }

    private static void f32(byte[] in, int n, float[] out) {
        for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(u32(in, 4 * i));
    }

    private static void f16(byte[] in, int n, float[] out) {
        for (int i = 0; i < n; i++) out[i] = half(in, 2 * i);
    }

    private static void bf16(byte[] in, int n, float[] out) {
        for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(((in[2 * i] & 0xFF) | (in[2 * i + 1] & 0xFF) << 8) << 16);
    }

    // block_q8_0 { half d; int8 qs[32]; }
    private static void q8_0(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 34 * i, yo = 32 * i;
            float d = half(in, o);
            for (int j = 0; j < 32; j++) y[yo + j] = in[o + 2 + j] * d;
        }
    }

    /** {@link #q8_0(byte[], int, float[])} from the mapped file straight into the destination. */
    private static void q8_0(ByteBuffer src, long firstBlock, int nb, FloatBuffer dst, int at) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = dst.duplicate();
        for (int i = 0; i < nb; i++) {
            int o = (int) ((firstBlock + i) * 34), yo = at + 32 * i;
            float d = Float.float16ToFloat(in.getShort(o));
            for (int j = 0; j < 32; j++) out.put(yo + j, in.get(o + 2 + j) * d);
        }
    }

    // block_q4_0 { half d; uint8 qs[16]; }: low nibbles are elements 0..15, high nibbles 16..31
    private static void q4_0(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 18 * i, yo = 32 * i;
            float d = half(in, o);
            for (int j = 0; j < 16; j++) {
                int q = u8(in, o + 2 + j);
                y[yo + j] = ((q & 0xF) - 8) * d;
                y[yo + j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }

    // block_q4_1 { half d; half m; uint8 qs[16]; }
    private static void q4_1(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 20 * i, yo = 32 * i;
            float d = half(in, o), m = half(in, o + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(in, o + 4 + j);
                y[yo + j] = (q & 0xF) * d + m;
                y[yo + j + 16] = (q >> 4) * d + m;
            }
        }
    }

    /** ggml's {@code kvalues_iq4nl}: the 16 levels an IQ4_NL nibble indexes, non-linear (denser near zero). */
    public static final int[] IQ4_NL_LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    // block_iq4_nl { half d; uint8 qs[16]; }: byte j holds element j (low nibble) and j + 16 (high), as Q4_0
    private static void iq4_nl(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 18 * i, yo = 32 * i;
            float d = half(in, o);
            for (int j = 0; j < 16; j++) {
                int q = u8(in, o + 2 + j);
                y[yo + j] = d * IQ4_NL_LEVELS[q & 0xF];
                y[yo + j + 16] = d * IQ4_NL_LEVELS[q >> 4];
            }
        }
    }

    // block_q5_0 { half d; uint8 qh[4]; uint8 qs[16]; }: qh bit j is the 5th bit of element j
    private static void q5_0(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 22 * i, yo = 32 * i;
            float d = half(in, o);
            int qh = u32(in, o + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(in, o + 6 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                y[yo + j] = (((q & 0xF) | xh0) - 16) * d;
                y[yo + j + 16] = (((q >> 4) | xh1) - 16) * d;
            }
        }
    }

    // block_q5_1 { half d; half m; uint8 qh[4]; uint8 qs[16]; }
    private static void q5_1(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 24 * i, yo = 32 * i;
            float d = half(in, o), m = half(in, o + 2);
            int qh = u32(in, o + 4);
            for (int j = 0; j < 16; j++) {
                int q = u8(in, o + 8 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                y[yo + j] = ((q & 0xF) | xh0) * d + m;
                y[yo + j + 16] = ((q >> 4) | xh1) * d + m;
            }
        }
    }

    // block_q2_K { uint8 scales[16]; uint8 qs[64]; half d; half dmin; }
    private static void q2_k(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 84 * i, yo = 256 * i;
            float d = half(in, o + 80), min = half(in, o + 82);
            int q = o + 16, is = 0;
            for (int n = 0; n < 256; n += 128) {
                int shift = 0;
                for (int j = 0; j < 4; j++) {
                    int sc = u8(in, o + is++);
                    float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) y[yo++] = dl * ((u8(in, q + l) >> shift) & 3) - ml;
                    sc = u8(in, o + is++);
                    dl = d * (sc & 0xF);
                    ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) y[yo++] = dl * ((u8(in, q + l + 16) >> shift) & 3) - ml;
                    shift += 2;
                }
                q += 32;
            }
        }
    }

    // block_q3_K { uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d; }: 16 6-bit scales, offset 32
    private static void q3_k(byte[] in, int nb, float[] y) {
        final int kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
        int[] aux = new int[4];
        byte[] scales = new byte[16];
        for (int i = 0; i < nb; i++) {
            int o = 110 * i, yo = 256 * i;
            float dAll = half(in, o + 108);
            int a0 = u32(in, o + 96), a1 = u32(in, o + 100), tmp = u32(in, o + 104);
            aux[0] = (a0 & kmask2) | (((tmp) & kmask1) << 4);
            aux[1] = (a1 & kmask2) | (((tmp >>> 2) & kmask1) << 4);
            aux[2] = ((a0 >>> 4) & kmask2) | (((tmp >>> 4) & kmask1) << 4);
            aux[3] = ((a1 >>> 4) & kmask2) | (((tmp >>> 6) & kmask1) << 4);
            for (int k = 0; k < 16; k++) scales[k] = (byte) (aux[k >> 2] >>> (8 * (k & 3)));
            int q = o + 32, hm = o;
            int m = 1, is = 0;
            for (int n = 0; n < 256; n += 128) {
                int shift = 0;
                for (int j = 0; j < 4; j++) {
                    float dl = dAll * (scales[is++] - 32);
                    for (int l = 0; l < 16; l++) {
                        y[yo++] = dl * (((u8(in, q + l) >> shift) & 3) - ((u8(in, hm + l) & m) != 0 ? 0 : 4));
                    }
                    dl = dAll * (scales[is++] - 32);
                    for (int l = 0; l < 16; l++) {
                        y[yo++] = dl * (((u8(in, q + l + 16) >> shift) & 3) - ((u8(in, hm + l + 16) & m) != 0 ? 0 : 4));
                    }
                    shift += 2;
                    m <<= 1;
                }
                q += 32;
            }
        }
    }

    /** ggml's get_scale_min_k4: 8 pairs of 6-bit (scale, min) packed in 12 bytes at {@code s}. */
    private static int scaleK4(byte[] b, int s, int j) {
        return j < 4 ? u8(b, s + j) & 63 : (u8(b, s + j + 4) & 0xF) | ((u8(b, s + j - 4) >> 6) << 4);
    }

    private static int minK4(byte[] b, int s, int j) {
        return j < 4 ? u8(b, s + j + 4) & 63 : (u8(b, s + j + 4) >> 4) | ((u8(b, s + j) >> 6) << 4);
    }

    // block_q4_K { half d; half dmin; uint8 scales[12]; uint8 qs[128]; }
    private static void q4_k(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 144 * i, yo = 256 * i;
            float d = half(in, o), min = half(in, o + 2);
            int s = o + 4, q = o + 16, is = 0;
            for (int j = 0; j < 256; j += 64) {
                float d1 = d * scaleK4(in, s, is), m1 = min * minK4(in, s, is);
                float d2 = d * scaleK4(in, s, is + 1), m2 = min * minK4(in, s, is + 1);
                for (int l = 0; l < 32; l++) y[yo + l] = d1 * (u8(in, q + l) & 0xF) - m1;
                for (int l = 0; l < 32; l++) y[yo + 32 + l] = d2 * (u8(in, q + l) >> 4) - m2;
                yo += 64;
                q += 32;
                is += 2;
            }
        }
    }

    // block_q5_K { half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]; }
    private static void q5_k(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 176 * i, yo = 256 * i;
            float d = half(in, o), min = half(in, o + 2);
            int s = o + 4, qh = o + 16, ql = o + 48, is = 0;
            int u1 = 1, u2 = 2;
            for (int j = 0; j < 256; j += 64) {
                float d1 = d * scaleK4(in, s, is), m1 = min * minK4(in, s, is);
                float d2 = d * scaleK4(in, s, is + 1), m2 = min * minK4(in, s, is + 1);
                for (int l = 0; l < 32; l++) y[yo + l] = d1 * ((u8(in, ql + l) & 0xF) + ((u8(in, qh + l) & u1) != 0 ? 16 : 0)) - m1;
                for (int l = 0; l < 32; l++) y[yo + 32 + l] = d2 * ((u8(in, ql + l) >> 4) + ((u8(in, qh + l) & u2) != 0 ? 16 : 0)) - m2;
                yo += 64;
                ql += 32;
                is += 2;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    // block_q6_K { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d; }
    private static void q6_k(byte[] in, int nb, float[] y) {
        for (int i = 0; i < nb; i++) {
            int o = 210 * i, yo = 256 * i;
            float d = half(in, o + 208);
            int ql = o, qh = o + 128, sc = o + 192;
            for (int n = 0; n < 256; n += 128) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = u8(in, qh + l);
                    int q1 = ((u8(in, ql + l) & 0xF) | (((h) & 3) << 4)) - 32;
                    int q2 = ((u8(in, ql + l + 32) & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(in, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(in, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[yo + l] = d * in[sc + is] * q1;
                    y[yo + l + 32] = d * in[sc + is + 2] * q2;
                    y[yo + l + 64] = d * in[sc + is + 4] * q3;
                    y[yo + l + 96] = d * in[sc + is + 6] * q4;
                }
                yo += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
