package dev.dca.runtime.model;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

import java.nio.ByteBuffer;

/**
 * One weight tensor as a loader hands it to the decoder: little-endian bytes in a float dtype, row-major,
 * shape in PyTorch order ({@code [out, in]} for a linear layer). Quantized files are dequantized by their loader.
 */
public record Tensor(String name, long[] shape, DType dtype, ByteBuffer data) {

    public enum DType {
        F32(4), F16(2), BF16(2);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    public long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /**
     * Writes the values as F32 into {@code dst} from its position on (exactly {@link #elements()} of them), split
     * over the cores for big tensors: BF16 is exact (the top half of an F32), F16 too.
     */
    public void toF32(FloatBuffer dst) {
        long n = elements();
        if (dst.remaining() < n) throw new IllegalArgumentException("destination holds " + dst.remaining() + " floats, " + name + " has " + n);
        int base = dst.position();
        ByteBuffer src = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int chunk = 1 << 20;
        int chunks = (int) ((n + chunk - 1) / chunk);
        IntStream range = IntStream.range(0, chunks);
        (chunks >= 4 ? range.parallel() : range).forEach(c -> {
            int from = c * chunk, to = (int) Math.min(n, (long) from + chunk);
            FloatBuffer out = dst.duplicate().position(base + from);
            switch (dtype) {
                case F32 -> out.put(src.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(from * 4).slice()
                        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().limit(to - from));
                case F16 -> {
                    for (int i = from; i < to; i++) out.put(Float.float16ToFloat(src.getShort(i * 2)));
                }
                case BF16 -> {
                    for (int i = from; i < to; i++) out.put(Float.intBitsToFloat((src.getShort(i * 2) & 0xffff) << 16));
                }
            }
        });
        dst.position(base + (int) n);
    }
}
