package dev.dca.runtime.gguf;

/**
 * One tensor as the GGUF header describes it.
 *
 * @param ne dimensions in ggml order: {@code ne[0]} is the fastest-varying (PyTorch's last) dimension
 * @param offset byte offset of the data relative to the start of the tensor-data section
 * @param byteSize bytes of the data (validated to lie inside the file)
 */
public record GgufTensorInfo(String name, long[] ne, GgmlType type, long offset, long byteSize) {

    public long elements() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    /** Dimensions in PyTorch order ({@code [out, in]} for a linear layer): {@code ne} reversed. */
    public long[] shape() {
        long[] s = new long[ne.length];
        for (int i = 0; i < ne.length; i++) s[i] = ne[ne.length - 1 - i];
        return s;
    }
}
