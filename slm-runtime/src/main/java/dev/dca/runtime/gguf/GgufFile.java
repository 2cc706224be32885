package dev.dca.runtime.gguf;

import dev.dca.runtime.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An opened, validated GGUF file: typed metadata, tensor infos, and memory-mapped access to each tensor's bytes.
 * Obtain one from {@link GgufReader#open(Path)}.
 *
 * <p>Metadata values are plain Java objects chosen by the GGUF value type (not by the value):
 * <ul>
 *   <li>UINT8, INT8, UINT16, INT16, INT32 → {@link Integer}</li>
 *   <li>UINT32, INT64, UINT64 → {@link Long} (UINT64 above {@code Long.MAX_VALUE} keeps its bits, i.e. reads negative)</li>
 *   <li>FLOAT32 → {@link Float}, FLOAT64 → {@link Double}, BOOL → {@link Boolean}, STRING → {@link String}</li>
 *   <li>ARRAY → an unmodifiable {@link List}: numeric arrays are compact views over primitive arrays
 *       ({@link GgufArrays}), string arrays a list of {@link String}, nested arrays a list of lists</li>
 * </ul>
 * Since token ids are UINT32 in some files and INT32 in others, read integers as {@link Number} or through
 * {@link #getInt(String)}.
 */
public final class GgufFile implements AutoCloseable {

    private final Path path;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataOffset;
    private final int alignment;
    private final long fileSize;
    private final FileChannel channel;

    GgufFile(Path path, int version, Map<String, Object> metadata, Map<String, GgufTensorInfo> tensors,
             long dataOffset, int alignment, long fileSize, FileChannel channel) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.dataOffset = dataOffset;
        this.alignment = alignment;
        this.fileSize = fileSize;
        this.channel = channel;
    }

    public Path path() { return path; }

    /** 2 or 3. */
    public int version() { return version; }

    /** Key → value in file order; see the class comment for the Java types. */
    public Map<String, Object> metadata() { return metadata; }

    /** Tensor name (as in the file) → info, in file order. */
    public Map<String, GgufTensorInfo> tensors() { return tensors; }

    /** Absolute file offset where tensor data begins. */
    public long dataOffset() { return dataOffset; }

    public int alignment() { return alignment; }

    public long fileSize() { return fileSize; }

    /** {@code general.architecture}, e.g. {@code llama}. */
    public String architecture() {
        return getString("general.architecture");
    }

    public boolean has(String key) { return metadata.containsKey(key); }

    /** @throws ModelFormatException when absent or not a string */
    public String getString(String key) {
        return require(key, String.class);
    }

    public Optional<String> findString(String key) {
        return metadata.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** An integer key that must fit an int. @throws ModelFormatException when absent, not integral or too big */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw problem(key + " = " + v + " does not fit an int");
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    public long getLong(String key) {
        Object v = metadata.get(key);
        if (v == null) throw problem("missing metadata key " + key);
        if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
        throw problem("metadata key " + key + " should be an integer, is " + describe(v));
    }

    /** A FLOAT32/FLOAT64 key (integers are accepted too). */
    public float getFloat(String key) {
        Object v = metadata.get(key);
        if (v == null) throw problem("missing metadata key " + key);
        if (v instanceof Number n) return n.floatValue();
        throw problem("metadata key " + key + " should be a number, is " + describe(v));
    }

    public float getFloat(String key, float defaultValue) {
        return has(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = metadata.get(key);
        if (v == null) return defaultValue;
        if (v instanceof Boolean b) return b;
        throw problem("metadata key " + key + " should be a bool, is " + describe(v));
    }

    @SuppressWarnings("unchecked")
    public List<Object> getList(String key) {
        return require(key, List.class);
    }

    /**
     * The tensor's bytes (little-endian, in the stored type), memory-mapped read-only. Tensors above 2 GiB
     * cannot be handed over as one buffer and are refused.
     */
    public ByteBuffer tensorData(GgufTensorInfo info) {
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw problem("tensor " + GgufReader.shown(info.name()) + " has " + info.byteSize() + " bytes; tensors above 2 GiB are not supported");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + info.offset(), info.byteSize())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot map tensor " + GgufReader.shown(info.name()) + ": " + e.getMessage(), e);
        }
    }

    public ModelFormatException problem(String message) {
        return new ModelFormatException(path, GgufReader.oneLine(message));
    }

    private <T> T require(String key, Class<T> type) {
        Object v = metadata.get(key);
        if (v == null) throw problem("missing metadata key " + key);
        if (!type.isInstance(v)) throw problem("metadata key " + key + " should be a " + type.getSimpleName().toLowerCase() + ", is " + describe(v));
        return type.cast(v);
    }

    private static String describe(Object v) {
        return v instanceof List<?> l ? "an array of " + l.size() : v.getClass().getSimpleName().toLowerCase() + " " + v;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only; nothing to flush
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors]";
    }
}
