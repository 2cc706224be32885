package dev.dca.runtime.gguf;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufReaderTest {

    @TempDir
    Path tmp;

    @Test
    void readsEveryMetadataValueTypeIncludingNestedArraysInVersion2And3() throws Exception {
        for (int version : new int[] {2, 3}) {
            Raw raw = new Raw().u32(GgufReader.MAGIC).u32(version).u64(0).u64(14);
            raw.kv("u8", 0).u8(200);
            raw.kv("i8", 1).u8(-5);
            raw.kv("u16", 2).u16(60000);
            raw.kv("i16", 3).u16(-300);
            raw.kv("u32", 4).u32(0xFFFFFFF0);
            raw.kv("i32", 5).u32(-7);
            raw.kv("f32", 6).f32(1.5f);
            raw.kv("bool", 7).u8(1);
            raw.kv("str", 8).str("héllo");
            raw.kv("u64", 10).u64(1L << 40);
            raw.kv("i64", 11).u64(-9);
            raw.kv("f64", 12).f64(2.25);
            raw.kv("ints", 9).u32(5).u64(3).u32(1).u32(2).u32(3);
            raw.kv("nested", 9).u32(9).u64(2)
                    .u32(8).u64(2).str("a").str("b")
                    .u32(6).u64(1).f32(0.5f);
            Path f = raw.write(tmp.resolve("all-v" + version + ".gguf"));
            try (GgufFile g = GgufReader.open(f)) {
                Map<String, Object> m = g.metadata();
                assertThat(g.version()).isEqualTo(version);
                assertThat(m.get("u8")).isEqualTo(200);
                assertThat(m.get("i8")).isEqualTo(-5);
                assertThat(m.get("u16")).isEqualTo(60000);
                assertThat(m.get("i16")).isEqualTo(-300);
                assertThat(m.get("u32")).isEqualTo(0xFFFFFFF0L);
                assertThat(m.get("i32")).isEqualTo(-7);
                assertThat(m.get("f32")).isEqualTo(1.5f);
                assertThat(m.get("bool")).isEqualTo(true);
                assertThat(m.get("str")).isEqualTo("héllo");
                assertThat(m.get("u64")).isEqualTo(1L << 40);
                assertThat(m.get("i64")).isEqualTo(-9L);
                assertThat(m.get("f64")).isEqualTo(2.25);
                assertThat(m.get("ints")).isEqualTo(List.of(1, 2, 3));
                assertThat(m.get("nested")).isEqualTo(List.of(List.of("a", "b"), List.of(0.5f)));
                assertThat(g.getInt("u16")).isEqualTo(60000);
                assertThat(g.tensors()).isEmpty();
            }
        }
    }

    @Test
    void readsRealFilesHeaderTensorsAndTokenizerMetadata() {
        Path f = SharedFixtures.require("models/stories260K-gguf/stories260K-F32.gguf");
        try (GgufFile g = GgufReader.open(f)) {
            assertThat(g.architecture()).isEqualTo("llama");
            assertThat(g.getString("tokenizer.ggml.model")).isEqualTo("llama");
            // llama2.c's converter stored BOS/EOS as "\n<s>\n" and "\n</s>\n"; the reader keeps strings as stored
            assertThat(g.getList("tokenizer.ggml.tokens")).hasSize(512).startsWith("<unk>", "\n<s>\n", "\n</s>\n", "<0x00>");
            assertThat(g.getList("tokenizer.ggml.scores")).hasSize(512).first().isInstanceOf(Float.class);
            assertThat(g.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(g.dataOffset() % g.alignment()).isZero();
            GgufTensorInfo embd = g.tensors().get("token_embd.weight");
            assertThat(embd.shape()).containsExactly(512, 64);
            assertThat(embd.type()).isEqualTo(GgmlType.F32);
            assertThat(g.tensorData(embd).remaining()).isEqualTo(512 * 64 * 4);
        }
    }

    @Test
    void roundTripsWhatTheWriterWrites() {
        Path f = TinyGguf.write(tmp.resolve("tiny.gguf"), GgmlType.F32);
        try (GgufFile g = GgufReader.open(f)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.getLong("tokenizer.ggml.bos_token_id")).isEqualTo(1);
            assertThat(g.getBoolean("tokenizer.ggml.add_bos_token", false)).isTrue();
            assertThat(g.tensors()).hasSize(11);
            assertThat(g.tensors().get("blk.0.attn_k.weight").ne()).containsExactly(TinyGguf.HIDDEN, 16);
        }
    }

    // ---- corrupted files: one line naming the file and the problem ----

    @Test
    void badMagic() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        b[0] = 'X';
        assertOneLineError(write("bad-magic.gguf", b), "not a GGUF file: bad magic");
    }

    @Test
    void emptyAndTinyFiles() throws Exception {
        assertOneLineError(write("empty.gguf", new byte[0]), "not a GGUF file");
        assertOneLineError(write("short.gguf", new byte[] {'G', 'G', 'U', 'F', 3, 0}), "file truncated?");
    }

    @Test
    void unsupportedVersion() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        b[4] = 7;
        assertOneLineError(write("v7.gguf", b), "unsupported GGUF version 7");
    }

    @Test
    void truncatedTensorData() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        assertOneLineError(write("cut.gguf", java.util.Arrays.copyOf(b, b.length - 100)), "lies outside the file");
    }

    @Test
    void truncatedHeader() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        assertOneLineError(write("cut-header.gguf", java.util.Arrays.copyOf(b, 300)), "file truncated?");
    }

    @Test
    void metadataCountLying() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 1L << 50);
        assertOneLineError(write("kv-count.gguf", b), "metadata count");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 40); // a few more keys than there are
        assertThatThrownBy(() -> GgufReader.open(write("kv-count2.gguf", b))).isInstanceOf(ModelFormatException.class);
    }

    @Test
    void arrayLengthLying() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        int at = indexOf(b, "tokenizer.ggml.tokens") + "tokenizer.ggml.tokens".length() + 4 + 4; // value type, elem type
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, 1L << 40);
        assertOneLineError(write("array-count.gguf", b), "claims 1099511627776 elements");
    }

    @Test
    void stringLengthLying() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        int at = indexOf(b, "general.name") + "general.name".length() + 4;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, Long.MAX_VALUE);
        assertOneLineError(write("string-length.gguf", b), "string general.name claims");
    }

    @Test
    void tensorOffsetOutsideTheFile() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(tensorInfoAt(b, "output_norm.weight", 1) + 4, 1L << 32);
        assertOneLineError(write("offset.gguf", b), "tensor output_norm.weight data");
    }

    @Test
    void unknownTensorType() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(tensorInfoAt(b, "output_norm.weight", 1), 77);
        assertOneLineError(write("type.gguf", b), "tensor output_norm.weight has unknown ggml type id 77");
    }

    @Test
    void unsupportedTensorTypeIsNamedWhenTheTensorIsRead() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        // MXFP4 blocks are smaller than the F32 data, so the file stays consistent; only decoding is impossible
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(tensorInfoAt(b, "blk.0.attn_q.weight", 2), GgmlType.MXFP4.id);
        Path f = write("mxfp4.gguf", b);
        try (GgufModelFiles m = GgufModelFiles.open(f)) {
            assertThat(m.storedTensorTypes()).containsEntry("MXFP4", 1);
            assertThatThrownBy(() -> m.tensor("model.layers.0.self_attn.q_proj.weight"))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("tensor blk.0.attn_q.weight has type MXFP4, which cannot be dequantized");
        }
    }

    @Test
    void tooManyDimensions() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        int name = indexOf(b, "output_norm.weight") + "output_norm.weight".length();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(name, 5);
        assertOneLineError(write("dims.gguf", b), "has 5 dimensions");
    }

    @Test
    void unknownMetadataValueType() throws Exception {
        byte[] b = Files.readAllBytes(TinyGguf.write(tmp.resolve("t.gguf"), GgmlType.F32));
        int at = indexOf(b, "general.name") + "general.name".length();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 99);
        assertOneLineError(write("vtype.gguf", b), "unknown value type 99");
    }

    @Test
    void nonexistentFile() {
        assertOneLineError(tmp.resolve("nope.gguf"), "no such file");
    }

    static void assertOneLineError(Path file, String expected) {
        assertThatThrownBy(() -> {
            try (GgufModelFiles m = GgufModelFiles.open(file)) {
                for (String n : m.tensorNames()) m.tensor(n);
            }
        }).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private Path write(String name, byte[] b) throws Exception {
        return Files.write(tmp.resolve(name), b);
    }

    static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i <= haystack.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) if (haystack[i + j] != n[j]) continue outer;
            return i;
        }
        throw new AssertionError(needle + " not found");
    }

    /** Offset of the tensor info's type field (1-D tensor: name, n_dims, ne[0], type, offset). */
    static int tensorInfoAt(byte[] b, String tensor, int dims) {
        // the name also occurs nowhere else in the header; skip its length prefix occurrence
        int name = indexOf(b, tensor) + tensor.length();
        return name + 4 + 8 * dims;
    }

    /** Hand-assembled little-endian GGUF bytes. */
    static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteBuffer s = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Raw u8(int v) { out.write(v); return this; }
        Raw u16(int v) { s.clear(); s.putShort((short) v); out.write(s.array(), 0, 2); return this; }
        Raw u32(int v) { s.clear(); s.putInt(v); out.write(s.array(), 0, 4); return this; }
        Raw u64(long v) { s.clear(); s.putLong(v); out.write(s.array(), 0, 8); return this; }
        Raw f32(float v) { return u32(Float.floatToIntBits(v)); }
        Raw f64(double v) { return u64(Double.doubleToLongBits(v)); }
        Raw str(String v) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.write(b, 0, b.length);
            return this;
        }
        Raw kv(String key, int type) { return str(key).u32(type); }
        Path write(Path p) throws Exception { return Files.write(p, out.toByteArray()); }
    }
}
