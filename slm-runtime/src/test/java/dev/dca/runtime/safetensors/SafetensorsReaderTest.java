package dev.dca.runtime.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {

    @TempDir
    Path dir;

    private Path writeSmall(Path file) throws IOException {
        SafetensorsWriter.write(file, List.of(
                new SafetensorsWriter.Spec("a", Tensor.DType.F32, new long[] {2, 3}, (c, s) -> { for (int i = 0; i < c.length; i++) c[i] = s + i; }),
                new SafetensorsWriter.Spec("b", Tensor.DType.BF16, new long[] {4}, (c, s) -> Arrays.fill(c, 1.5f)),
                new SafetensorsWriter.Spec("c", Tensor.DType.F16, new long[] {2}, (c, s) -> Arrays.fill(c, -2f))));
        return file;
    }

    private static void assertOneLineNaming(Throwable e, Path file, String problem) {
        assertThat(e).isInstanceOf(ModelFormatException.class);
        assertThat(e.getMessage()).contains(file.toString()).contains(problem).doesNotContain("\n");
    }

    @Test
    void reads_what_the_writer_wrote_in_every_dtype() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(writeSmall(dir.resolve("model.safetensors")))) {
            assertThat(r.names()).containsExactlyInAnyOrder("a", "b", "c");
            Tensor a = r.tensor("a");
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(a.data().order(ByteOrder.LITTLE_ENDIAN).getFloat(5 * 4)).isEqualTo(5f);
            Tensor b = r.tensor("b");
            assertThat(b.dtype()).isEqualTo(Tensor.DType.BF16);
            assertThat(Float.intBitsToFloat((b.data().getShort(0) & 0xffff) << 16)).isEqualTo(1.5f);
            assertThat(Float.float16ToFloat(r.tensor("c").data().getShort(2))).isEqualTo(-2f);
            assertThat(r.dtypeCounts()).containsEntry("F32", 1).containsEntry("BF16", 1).containsEntry("F16", 1);
        }
    }

    @Test
    void reads_sharded_folders_through_the_index() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), List.of(
                new SafetensorsWriter.Spec("x", Tensor.DType.F32, new long[] {2}, (c, s) -> Arrays.fill(c, 1f))));
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), List.of(
                new SafetensorsWriter.Spec("y", Tensor.DType.F32, new long[] {3}, (c, s) -> Arrays.fill(c, 2f))));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"x\": \"model-00001-of-00002.safetensors\", \"y\": \"model-00002-of-00002.safetensors\"}}");
        try (SafetensorsReader r = SafetensorsReader.open(dir)) {
            assertThat(r.names()).containsExactlyInAnyOrder("x", "y");
            assertThat(r.tensor("y").data().getFloat(8)).isEqualTo(2f);
        }
    }

    @Test
    void a_missing_shard_is_named() throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"x\": \"model-00001-of-00002.safetensors\"}}");
        Path index = dir.resolve("model.safetensors.index.json");
        assertThatThrownBy(() -> SafetensorsReader.open(dir)).satisfies(e -> assertOneLineNaming(e, index, "missing"));
    }

    @Test
    void every_truncation_fails_cleanly() throws IOException {
        byte[] full = Files.readAllBytes(writeSmall(dir.resolve("full.safetensors")));
        for (int len = 0; len < full.length; len++) {
            Path cut = dir.resolve("cut.safetensors");
            Files.write(cut, Arrays.copyOf(full, len));
            assertThatThrownBy(() -> SafetensorsReader.open(cut).close()).as("length %d", len).isInstanceOf(ModelFormatException.class)
                    .satisfies(e -> assertThat(e.getMessage()).contains(cut.toString()).doesNotContain("\n"));
        }
    }

    @Test
    void a_header_lying_about_its_length_is_rejected() throws IOException {
        Path f = writeSmall(dir.resolve("lying.safetensors"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Files.write(f, bytes);
        assertThatThrownBy(() -> SafetensorsReader.open(f)).satisfies(e -> assertOneLineNaming(e, f, "header length"));
    }

    @Test
    void offsets_past_the_end_and_shape_byte_mismatches_are_rejected() throws IOException {
        Path f = writeSmall(dir.resolve("m.safetensors"));
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        Path past = dir.resolve("past.safetensors");
        Files.write(past, text.replace("\"data_offsets\":[0,24]", "\"data_offsets\":[0,94]").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> SafetensorsReader.open(past)).satisfies(e -> assertOneLineNaming(e, past, "outside"));
        Path shape = dir.resolve("shape.safetensors");
        Files.write(shape, text.replace("\"shape\":[2,3]", "\"shape\":[3,3]").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> SafetensorsReader.open(shape)).satisfies(e -> assertOneLineNaming(e, shape, "needs"));
        Path dtype = dir.resolve("dtype.safetensors");
        Files.write(dtype, text.replace("\"dtype\":\"F32\"", "\"dtype\":\"I32\"").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> SafetensorsReader.open(dtype)).satisfies(e -> assertOneLineNaming(e, dtype, "unsupported dtype 'I32'"));
    }
}
