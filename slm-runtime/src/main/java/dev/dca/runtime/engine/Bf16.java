package dev.dca.runtime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/** F32 to BF16 (the top 16 bits of an F32), rounded to nearest even as PyTorch and llama.cpp round it. */
final class Bf16 {

    private Bf16() {}

    /** A new direct little-endian BF16 buffer ({@link WeightMemory}) holding {@code f32}'s values. Exact when they came from BF16. */
    static ByteBuffer narrow(FloatBuffer f32) {
        int n = f32.remaining();
        ByteBuffer out = WeightMemory.allocate(n * 2L).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer dst = out.asShortBuffer();
        for (int i = 0; i < n; i++) dst.put(i, round(f32.get(f32.position() + i)));
        return out;
    }

    static short round(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40); // stays a (quiet) NaN
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float widen(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
