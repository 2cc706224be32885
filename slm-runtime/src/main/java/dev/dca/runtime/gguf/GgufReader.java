package dev.dca.runtime.gguf;

import dev.dca.runtime.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a GGUF file (versions 2 and 3, little-endian): header, typed metadata, tensor infos, alignment.
 *
 * <p>Hand-written because no maintained Java GGUF library exists on Maven Central. Every count and length is checked
 * against the bytes that remain before anything is allocated, so a corrupt or hostile file ends in a one-line
 * {@link ModelFormatException} naming the file, the problem and the offset, never in an out-of-memory error.
 * The header is read from a memory map of the file's first 2 GiB at most; tensor data is mapped per tensor.
 */
public final class GgufReader {

    static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_DEPTH = 8;

    // metadata value types
    static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    private final Path path;
    private final ByteBuffer buf;

    private GgufReader(Path path, ByteBuffer buf) {
        this.path = path;
        this.buf = buf;
    }

    /** Opens and validates {@code path}; the returned file keeps the channel open for tensor mapping. */
    public static GgufFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "no such file");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot open: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            ByteBuffer header = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
                    .order(ByteOrder.LITTLE_ENDIAN);
            return new GgufReader(path, header).read(channel, size);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private GgufFile read(FileChannel channel, long fileSize) {
        if (buf.remaining() < 4) throw fail("not a GGUF file: only " + buf.remaining() + " bytes");
        int magic = buf.getInt();
        if (magic != MAGIC) {
            throw new ModelFormatException(path, String.format("not a GGUF file: bad magic 0x%08x at offset 0 (expected \"GGUF\")", Integer.reverseBytes(magic)));
        }
        int version = (int) u32("version");
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw failAt(4, "big-endian GGUF files are not supported");
            }
            throw failAt(4, "unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
        }
        long tensorCount = u64("tensor count");
        long kvCount = u64("metadata count");
        // smallest tensor info: 8-byte name length + 4 n_dims + 4 type + 8 offset; smallest kv: 8 + 4 + 1
        checkCount(tensorCount, 24, "tensor count", 8);
        checkCount(kvCount, 13, "metadata count", 16);

        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            int at = buf.position();
            String key = string("metadata key " + i);
            int type = (int) u32("type of " + key);
            Object value = value(type, shown(key), 0);
            if (metadata.putIfAbsent(key, value) != null) throw failAt(at, "duplicate metadata key " + shown(key));
        }

        int alignment = DEFAULT_ALIGNMENT;
        Object al = metadata.get("general.alignment");
        if (al != null) {
            long a = al instanceof Integer || al instanceof Long ? ((Number) al).longValue() : -1;
            if (a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
                throw fail("general.alignment must be a power of two, got " + al);
            }
            alignment = (int) a;
        }

        List<GgufTensorInfo> infos = new ArrayList<>((int) tensorCount);
        for (long i = 0; i < tensorCount; i++) {
            int at = buf.position();
            String rawName = string("tensor name " + i);
            String name = shown(rawName);
            long nDims = u32("n_dims of " + name);
            if (nDims < 1 || nDims > MAX_DIMS) throw failAt(at, "tensor " + name + " has " + nDims + " dimensions (1.." + MAX_DIMS + " allowed)");
            long[] ne = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                ne[d] = u64("dimension " + d + " of " + name);
                if (ne[d] < 0 || ne[d] > (1L << 40)) throw failAt(at, "tensor " + name + " has a bad dimension " + Long.toUnsignedString(ne[d]));
                if (ne[d] != 0 && elements > Long.MAX_VALUE / ne[d]) throw failAt(at, "tensor " + name + " has too many elements");
                elements *= ne[d];
            }
            int typeAt = buf.position();
            long typeId = u32("type of " + name);
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) throw failAt(typeAt, "tensor " + name + " has unknown ggml type id " + typeId);
            if (ne[0] % type.blockSize != 0) {
                throw failAt(at, "tensor " + name + " row length " + ne[0] + " is not a multiple of the " + type + " block size " + type.blockSize);
            }
            long byteSize = type.byteSize(elements);
            if (byteSize < 0) throw failAt(at, "tensor " + name + " size overflows");
            long offset = u64("data offset of " + name);
            if (offset < 0 || offset % alignment != 0) {
                throw failAt(at, "tensor " + name + " data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment);
            }
            infos.add(new GgufTensorInfo(rawName, ne, type, offset, byteSize));
        }

        long dataOffset = align(buf.position(), alignment);
        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (GgufTensorInfo t : infos) {
            if (tensors.putIfAbsent(t.name(), t) != null) throw fail("duplicate tensor name " + shown(t.name()));
            long end = dataOffset + t.offset() + t.byteSize();
            if (t.offset() > fileSize || end < 0 || end > fileSize) {
                throw fail("tensor " + shown(t.name()) + " data [" + (dataOffset + t.offset()) + ", " + end + ") lies outside the file ("
                        + fileSize + " bytes; file truncated?)");
            }
        }
        return new GgufFile(path, version, metadata, tensors, dataOffset, alignment, fileSize, channel);
    }

    private Object value(int type, String key, int depth) {
        switch (type) {
            case UINT8: need(1, key); return buf.get() & 0xFF;
            case INT8: need(1, key); return (int) buf.get();
            case UINT16: need(2, key); return buf.getShort() & 0xFFFF;
            case INT16: need(2, key); return (int) buf.getShort();
            case UINT32: return u32(key);
            case INT32: need(4, key); return buf.getInt();
            case FLOAT32: need(4, key); return buf.getFloat();
            case BOOL: return bool(key);
            case STRING: return string(key);
            case UINT64, INT64: return u64raw(key);
            case FLOAT64: need(8, key); return buf.getDouble();
            case ARRAY: return array(key, depth);
            default: throw failAt(buf.position() - 4, "metadata key " + key + " has unknown value type " + Integer.toUnsignedString(type));
        }
    }

    private List<?> array(String key, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) throw fail("metadata key " + key + " nests arrays deeper than " + MAX_ARRAY_DEPTH);
        int at = buf.position();
        int elemType = (int) u32("array type of " + key);
        long count = u64("array length of " + key);
        int min = switch (elemType) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64, STRING -> 8;
            case ARRAY -> 12;
            default -> throw failAt(at, "metadata key " + key + " is an array of unknown value type " + Integer.toUnsignedString(elemType));
        };
        if (count < 0 || count > buf.remaining() / min) {
            throw failAt(at + 4, "metadata key " + key + " claims " + Long.toUnsignedString(count) + " elements but only "
                    + buf.remaining() + " bytes remain (file truncated?)");
        }
        int n = (int) count;
        switch (elemType) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (elemType) {
                        case UINT8 -> buf.get() & 0xFF;
                        case INT8 -> buf.get();
                        case UINT16 -> buf.getShort() & 0xFFFF;
                        case INT16 -> buf.getShort();
                        default -> buf.getInt();
                    };
                }
                return new GgufArrays.IntList(v);
            }
            case UINT32, UINT64, INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = elemType == UINT32 ? buf.getInt() & 0xFFFFFFFFL : buf.getLong();
                return new GgufArrays.LongList(v);
            }
            case FLOAT32 -> {
                float[] v = new float[n];
                buf.asFloatBuffer().get(v);
                buf.position(buf.position() + 4 * n);
                return new GgufArrays.FloatList(v);
            }
            case FLOAT64 -> {
                double[] v = new double[n];
                buf.asDoubleBuffer().get(v);
                buf.position(buf.position() + 8 * n);
                return new GgufArrays.DoubleList(v);
            }
            case BOOL -> {
                Boolean[] v = new Boolean[n];
                for (int i = 0; i < n; i++) v[i] = bool(key);
                return Collections.unmodifiableList(Arrays.asList(v));
            }
            case STRING -> {
                String[] v = new String[n];
                for (int i = 0; i < n; i++) v[i] = string(key + "[" + i + "]");
                return Collections.unmodifiableList(Arrays.asList(v));
            }
            default -> {
                List<Object> v = new ArrayList<>(n);
                for (int i = 0; i < n; i++) v.add(array(key + "[" + i + "]", depth + 1));
                return Collections.unmodifiableList(v);
            }
        }
    }

    private boolean bool(String what) {
        need(1, what);
        int at = buf.position();
        byte b = buf.get();
        if (b != 0 && b != 1) throw failAt(at, what + " is a bool with value " + (b & 0xFF));
        return b == 1;
    }

    private String string(String what) {
        int at = buf.position();
        long len = u64raw("length of " + what);
        if (len < 0 || len > buf.remaining()) {
            throw failAt(at, "string " + what + " claims " + Long.toUnsignedString(len) + " bytes but only " + buf.remaining() + " remain (file truncated?)");
        }
        ByteBuffer slice = buf.slice(buf.position(), (int) len);
        buf.position(buf.position() + (int) len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw failAt(at, "string " + what + " is not UTF-8");
        }
    }

    private long u32(String what) {
        need(4, what);
        return buf.getInt() & 0xFFFFFFFFL;
    }

    private long u64(String what) {
        int at = buf.position();
        long v = u64raw(what);
        if (v < 0) throw failAt(at, what + " " + Long.toUnsignedString(v) + " is too large");
        return v;
    }

    private long u64raw(String what) {
        need(8, what);
        return buf.getLong();
    }

    private void need(int bytes, String what) {
        if (buf.remaining() < bytes) {
            throw failAt(buf.position(), "unexpected end of file reading " + what + " (file truncated?)");
        }
    }

    private void checkCount(long count, int minBytes, String what, int at) {
        if (count > buf.remaining() / minBytes) {
            throw failAt(at, what + " " + count + " cannot fit in the " + buf.remaining() + " bytes that remain (file truncated?)");
        }
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(path, oneLine(problem));
    }

    private ModelFormatException failAt(long offset, String problem) {
        return fail(problem + " at offset " + offset);
    }

    /** A name read from the file, fit for a one-line message: control characters replaced, at most 100 chars. */
    static String shown(String name) {
        String s = oneLine(name);
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return b.toString();
    }

    static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
