package dev.dca.runtime.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Python's {@code seq[start:stop:step]} on lists, strings and arrays (negative bounds and steps included). */
final class PythonSlice {
    static final Object NOT_SLICEABLE = new Object();

    private PythonSlice() {}

    static Object slice(Object base, Object start, Object stop, Object step) {
        List<?> list;
        if (base instanceof List<?> l) list = l;
        else if (base instanceof Object[] a) list = Arrays.asList(a);
        else if (base instanceof CharSequence cs) list = null;
        else return NOT_SLICEABLE;
        int len = list != null ? list.size() : ((CharSequence) base).length();
        int st = step == null ? 1 : ((Number) step).intValue();
        if (st == 0) throw new IllegalArgumentException("slice step cannot be zero");
        int lo;
        int hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(((Number) start).intValue(), len, 0, len);
            hi = stop == null ? len : clamp(((Number) stop).intValue(), len, 0, len);
        } else {
            lo = start == null ? len - 1 : clamp(((Number) start).intValue(), len, -1, len - 1);
            hi = stop == null ? -1 : clamp(((Number) stop).intValue(), len, -1, len - 1);
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = lo; st > 0 ? i < hi : i > hi; i += st) idx.add(i);
        if (list != null) {
            List<Object> out = new ArrayList<>(idx.size());
            for (int i : idx) out.add(list.get(i));
            return out;
        }
        CharSequence cs = (CharSequence) base;
        StringBuilder sb = new StringBuilder(idx.size());
        for (int i : idx) sb.append(cs.charAt(i));
        return sb.toString();
    }

    /** Python's slice bound normalisation: negative counts from the end, then clamp into [min, max]. */
    private static int clamp(int v, int len, int min, int max) {
        if (v < 0) v += len;
        return Math.max(min, Math.min(max, v));
    }
}
