package dev.dca.runtime.model;

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
}
