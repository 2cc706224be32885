package dev.dca.runtime.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads Hugging Face safetensors: one {@code model.safetensors} or shards {@code model-00001-of-0000N.safetensors}
 * listed by {@code model.safetensors.index.json}.
 *
 * <p>File grammar: {@code u64 LE headerLength | headerLength bytes of JSON | data}. The JSON maps each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the start of data), plus an optional
 * {@code __metadata__} object. The header is checked on open (length vs file size, offsets inside the file, dtype x
 * shape == byte count), so a truncated or lying file fails with a one-line {@link ModelFormatException} naming it
 * before anything large is allocated. Tensor data is memory-mapped, never copied here.
 */
public final class SafetensorsReader implements AutoCloseable {

    /** Headers beyond this are not plausible (real ones are a few hundred KB) and would only cost memory. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(Path file, FileChannel channel, String name, Tensor.DType dtype, long[] shape, long offset, long length) {}

    private final Path path;
    private final Map<String, Entry> entries;
    private final List<FileChannel> channels;

    private SafetensorsReader(Path path, Map<String, Entry> entries, List<FileChannel> channels) {
        this.path = path;
        this.entries = entries;
        this.channels = channels;
    }

    /**
     * Opens a {@code .safetensors} file, or a folder holding {@code model.safetensors} or
     * {@code model.safetensors.index.json} with its shards.
     */
    public static SafetensorsReader open(Path fileOrFolder) {
        if (Files.isRegularFile(fileOrFolder)) {
            List<FileChannel> channels = new ArrayList<>();
            Map<String, Entry> entries = new TreeMap<>();
            try {
                readFile(fileOrFolder, entries, channels);
            } catch (RuntimeException e) {
                closeAll(channels);
                throw e;
            }
            return new SafetensorsReader(fileOrFolder, entries, channels);
        }
        Path single = fileOrFolder.resolve("model.safetensors");
        if (Files.isRegularFile(single)) return open(single);
        Path index = fileOrFolder.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) return openSharded(index);
        throw new ModelFormatException(fileOrFolder, "no model.safetensors or model.safetensors.index.json here");
    }

    private static SafetensorsReader openSharded(Path index) {
        JsonNode weightMap;
        try {
            weightMap = JSON.readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new ModelFormatException(index, "not valid JSON (" + oneLine(e) + ")");
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new ModelFormatException(index, "no \"weight_map\" object naming the shards");
        }
        Map<String, String> wanted = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            wanted.put(e.getKey(), e.getValue().asText());
        }
        List<FileChannel> channels = new ArrayList<>();
        Map<String, Entry> entries = new TreeMap<>();
        try {
            for (String shard : new java.util.TreeSet<>(wanted.values())) {
                Path file = index.resolveSibling(shard).normalize();
                if (!file.startsWith(index.getParent().normalize()) || !Files.isRegularFile(file)) {
                    throw new ModelFormatException(index, "shard '" + shard + "' is missing");
                }
                readFile(file, entries, channels);
            }
            for (Map.Entry<String, String> e : wanted.entrySet()) {
                Entry found = entries.get(e.getKey());
                if (found == null || !found.file().getFileName().toString().equals(Path.of(e.getValue()).getFileName().toString())) {
                    throw new ModelFormatException(index, "tensor '" + e.getKey() + "' is not in shard " + e.getValue());
                }
            }
        } catch (RuntimeException e) {
            closeAll(channels);
            throw e;
        }
        return new SafetensorsReader(index.getParent(), entries, channels);
    }

    private static void readFile(Path file, Map<String, Entry> entries, List<FileChannel> channels) {
        FileChannel ch;
        long size;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            size = ch.size();
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read (" + oneLine(e) + ")");
        }
        channels.add(ch);
        if (size < 8) throw new ModelFormatException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        JsonNode header;
        long headerLength;
        try {
            readFully(ch, lenBuf, 0);
            headerLength = lenBuf.getLong(0);
            if (headerLength <= 1 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw new ModelFormatException(file, "header length " + headerLength + " does not fit the file ("
                        + size + " bytes): not a safetensors file, or truncated?");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBuf, 8);
            header = JSON.readTree(headerBuf.array());
        } catch (IOException e) {
            throw new ModelFormatException(file, "header is not valid JSON (" + oneLine(e) + ")");
        }
        if (header == null || !header.isObject()) throw new ModelFormatException(file, "header is not a JSON object");
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) continue;
            JsonNode t = e.getValue();
            String dt = t.path("dtype").asText("");
            Tensor.DType dtype = switch (dt) {
                case "F32" -> Tensor.DType.F32;
                case "F16" -> Tensor.DType.F16;
                case "BF16" -> Tensor.DType.BF16;
                default -> throw new ModelFormatException(file, "tensor '" + name + "' has unsupported dtype '" + dt
                        + "' (supported: F32, F16, BF16)");
            };
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new ModelFormatException(file, "tensor '" + name + "' lacks a shape or data_offsets [begin, end]");
            }
            long[] shape = new long[shapeNode.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0 || (shape[i] > 0 && elements > Long.MAX_VALUE / 16 / shape[i])) {
                    throw new ModelFormatException(file, "tensor '" + name + "' has an invalid shape " + shapeNode);
                }
                elements *= shape[i];
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataSize) {
                throw new ModelFormatException(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                        + "] lie outside the " + dataSize + " data bytes: truncated or corrupt file?");
            }
            if (end - begin != elements * dtype.bytes) {
                throw new ModelFormatException(file, "tensor '" + name + "' is " + (end - begin) + " bytes but "
                        + dt + " " + shapeNode + " needs " + elements * dtype.bytes);
            }
            if (end - begin > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, "tensor '" + name + "' is larger than 2 GiB, which this reader does not map");
            }
            if (entries.put(name, new Entry(file, ch, name, dtype, shape, dataStart + begin, end - begin)) != null) {
                throw new ModelFormatException(file, "tensor '" + name + "' appears twice");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** Shape of a tensor without mapping it. */
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    /** The tensor, its bytes memory-mapped (little-endian). */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        try {
            ByteBuffer data = e.channel().map(FileChannel.MapMode.READ_ONLY, e.offset(), e.length()).order(ByteOrder.LITTLE_ENDIAN);
            return new Tensor(name, e.shape().clone(), e.dtype(), data);
        } catch (IOException ex) {
            throw new ModelFormatException(e.file(), "cannot map tensor '" + name + "' (" + oneLine(ex) + ")");
        }
    }

    /** Count of tensors per stored dtype. */
    public Map<String, Integer> dtypeCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Entry e : entries.values()) counts.merge(e.dtype().name(), 1, Integer::sum);
        return counts;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new ModelFormatException(path, "tensor '" + name + "' is missing");
        return e;
    }

    @Override
    public void close() {
        closeAll(channels);
    }

    private static void closeAll(List<FileChannel> channels) {
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a read-only channel: nothing to recover
            }
        }
    }

    static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
