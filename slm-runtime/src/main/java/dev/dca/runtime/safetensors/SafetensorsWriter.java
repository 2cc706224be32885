package dev.dca.runtime.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dca.runtime.model.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes one {@code .safetensors} file, streaming each tensor's values from a generator so multi-hundred-MB random
 * models never sit in memory whole. Used by {@code dca model random} and by tests that build corrupt copies.
 */
public final class SafetensorsWriter {

    /** Produces the values of a tensor in row-major order, {@code chunk.length} at a time from {@code start}. */
    @FunctionalInterface
    public interface Values {
        void fill(float[] chunk, long start);
    }

    public record Spec(String name, Tensor.DType dtype, long[] shape, Values values) {
        long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private SafetensorsWriter() {}

    public static void write(Path file, List<Spec> tensors) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Spec s : tensors) {
            ObjectNode t = header.putObject(s.name());
            t.put("dtype", s.dtype().name());
            var shape = t.putArray("shape");
            for (long d : s.shape()) shape.add(d);
            long bytes = s.elements() * s.dtype().bytes;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8; // data aligned to 8 bytes, as the reference writer does
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (int i = headerBytes.length; i < padded; i++) out.write(' ');
            float[] chunk = new float[1 << 16];
            ByteBuffer buf = ByteBuffer.allocate(chunk.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (Spec s : tensors) {
                long n = s.elements();
                for (long start = 0; start < n; start += chunk.length) {
                    int m = (int) Math.min(chunk.length, n - start);
                    float[] c = m == chunk.length ? chunk : new float[m];
                    s.values().fill(c, start);
                    buf.clear();
                    for (int i = 0; i < m; i++) {
                        switch (s.dtype()) {
                            case F32 -> buf.putFloat(c[i]);
                            case BF16 -> buf.putShort(toBf16(c[i]));
                            case F16 -> buf.putShort(Float.floatToFloat16(c[i]));
                        }
                    }
                    out.write(buf.array(), 0, buf.position());
                }
            }
        }
    }

    /** Round-to-nearest-even float32 -> bfloat16, as torch does. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) 0x7fc0;
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
