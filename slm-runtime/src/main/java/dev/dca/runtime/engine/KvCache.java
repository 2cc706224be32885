package dev.dca.runtime.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for a fixed number of sequence slots, preallocated and written in place.
 *
 * <p>Layout per layer: {@code [slots, kvHeads, capacity, headDim]}, head-major so that the keys of rows
 * {@code [s0, s0 + B)} and positions {@code [0, L)} are a strided view that matmul consumes without a copy. F32
 * by default, whatever the weights' dtype. With {@code bf16} each value is held as BF16 bits (rounded by the Java
 * decode step that writes it) in tensors typed FLOAT16, since DJL's PyTorch has no bfloat16: only the Java step reads
 * them, and the copies below move their 16-bit elements without looking at them.
 */
final class KvCache implements AutoCloseable {

    final int slots;
    final int capacity;
    final NDArray[] k; // per layer [slots, KV, capacity, hd]
    final NDArray[] v;
    final boolean bf16;
    private final NDManager manager;
    private DecodeStep.CacheViews views;
    private boolean viewsTried;

    KvCache(NDManager parent, int layers, int slots, int kvHeads, int capacity, int headDim, boolean bf16) {
        this.slots = slots;
        this.bf16 = bf16;
        this.capacity = capacity;
        this.manager = parent.newSubManager();
        this.k = new NDArray[layers];
        this.v = new NDArray[layers];
        Shape shape = new Shape(slots, kvHeads, capacity, headDim);
        for (int l = 0; l < layers; l++) {
            k[l] = manager.zeros(shape, bf16 ? DataType.FLOAT16 : DataType.FLOAT32);
            v[l] = manager.zeros(shape, bf16 ? DataType.FLOAT16 : DataType.FLOAT32);
        }
    }

    /**
     * The keys and values as views of their own memory, for {@link DecodeStep}; null when libtorch does not expose
     * it (then decoding stays on PyTorch). Writes through a view are writes to the tensors.
     */
    DecodeStep.CacheViews views() {
        if (!viewsTried) {
            viewsTried = true;
            java.nio.ByteBuffer[] kb = new java.nio.ByteBuffer[k.length], vb = new java.nio.ByteBuffer[v.length];
            long bytes = k[0].size() * valueBytes(bf16);
            for (int l = 0; l < k.length; l++) {
                kb[l] = k[l].toByteBuffer(true);
                vb[l] = v[l].toByteBuffer(true);
                if (!kb[l].isDirect() || !vb[l].isDirect() || kb[l].capacity() != bytes || vb[l].capacity() != bytes) return null;
                kb[l].order(java.nio.ByteOrder.nativeOrder());
                vb[l].order(java.nio.ByteOrder.nativeOrder());
            }
            views = new DecodeStep.CacheViews(kb, vb, capacity, bf16);
        }
        return views;
    }

    boolean fits(int wantSlots, int wantCapacity) {
        return slots >= wantSlots && capacity >= wantCapacity;
    }

    /** Copies positions {@code [0, length)} of slot {@code from} into slot {@code to} (prefix forking). */
    void copySlot(int from, int to, int length) {
        if (from == to || length == 0) return;
        NDIndex src = new NDIndex("{}, :, :{}, :", from, length);
        NDIndex dst = new NDIndex("{}, :, :{}, :", to, length);
        try (NDManager tmp = manager.newSubManager()) {
            for (int l = 0; l < k.length; l++) {
                k[l].set(dst, k[l].get(tmp, src));
                v[l].set(dst, v[l].get(tmp, src));
            }
        }
    }

    /** Positions {@code [0, length)} of a slot as copies owned by {@code owner}: [layer] of [KV, length, hd]. */
    NDArray[][] export(int slot, int length, NDManager owner) {
        NDIndex idx = new NDIndex("{}, :, :{}, :", slot, length);
        NDArray[][] out = new NDArray[2][k.length];
        try (NDManager tmp = manager.newSubManager()) {
            for (int l = 0; l < k.length; l++) {
                out[0][l] = k[l].get(tmp, idx).duplicate();
                out[1][l] = v[l].get(tmp, idx).duplicate();
                out[0][l].attach(owner);
                out[1][l].attach(owner);
            }
        }
        return out;
    }

    /** Writes the first {@code length} positions of exported arrays into a slot. */
    void load(int slot, NDArray[][] kv, int length) {
        NDIndex dst = new NDIndex("{}, :, :{}, :", slot, length);
        NDIndex src = new NDIndex(":, :{}, :", length);
        try (NDManager tmp = manager.newSubManager()) {
            for (int l = 0; l < k.length; l++) {
                k[l].set(dst, kv[0][l].get(tmp, src));
                v[l].set(dst, kv[1][l].get(tmp, src));
            }
        }
    }

    long bytes() {
        return 2L * k.length * k[0].size() * valueBytes(bf16);
    }

    /** Bytes per key or value element: 2 for BF16, 4 for F32. */
    static int valueBytes(boolean bf16) {
        return bf16 ? 2 : Float.BYTES;
    }

    @Override
    public void close() {
        manager.close();
    }
}
