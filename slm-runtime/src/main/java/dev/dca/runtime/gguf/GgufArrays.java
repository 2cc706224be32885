package dev.dca.runtime.gguf;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * Read-only {@link java.util.List} views over primitive arrays. A vocabulary of 150,000 scores or token types
 * is held as one {@code float[]} / {@code int[]} instead of 150,000 boxed objects; elements are boxed only when
 * read through {@code get}. Callers wanting the raw array use {@link #floats}, {@link #ints} or {@link #longs}.
 */
public final class GgufArrays {

    private GgufArrays() {}

    public static final class FloatList extends AbstractList<Float> implements RandomAccess {
        private final float[] values;

        FloatList(float[] values) { this.values = values; }

        @Override public Float get(int index) { return values[index]; }
        @Override public int size() { return values.length; }
        /** The backing array (do not modify). */
        public float[] array() { return values; }
    }

    public static final class DoubleList extends AbstractList<Double> implements RandomAccess {
        private final double[] values;

        DoubleList(double[] values) { this.values = values; }

        @Override public Double get(int index) { return values[index]; }
        @Override public int size() { return values.length; }
    }

    public static final class IntList extends AbstractList<Integer> implements RandomAccess {
        private final int[] values;

        IntList(int[] values) { this.values = values; }

        @Override public Integer get(int index) { return values[index]; }
        @Override public int size() { return values.length; }
        /** The backing array (do not modify). */
        public int[] array() { return values; }
    }

    public static final class LongList extends AbstractList<Long> implements RandomAccess {
        private final long[] values;

        LongList(long[] values) { this.values = values; }

        @Override public Long get(int index) { return values[index]; }
        @Override public int size() { return values.length; }
        /** The backing array (do not modify). */
        public long[] array() { return values; }
    }

    /** Values of a numeric GGUF array as floats (any list of {@link Number}). */
    public static float[] floats(java.util.List<?> list) {
        if (list instanceof FloatList f) return f.array();
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) list.get(i)).floatValue();
        return out;
    }

    /** Values of an integer GGUF array as ints (any list of {@link Number}). */
    public static int[] ints(java.util.List<?> list) {
        if (list instanceof IntList f) return f.array();
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) list.get(i)).intValue();
        return out;
    }

    /** Values of an integer GGUF array as longs (any list of {@link Number}). */
    public static long[] longs(java.util.List<?> list) {
        if (list instanceof LongList f) return f.array();
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) list.get(i)).longValue();
        return out;
    }
}
