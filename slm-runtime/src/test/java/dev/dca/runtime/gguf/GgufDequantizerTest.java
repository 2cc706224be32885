package dev.dca.runtime.gguf;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GgufDequantizerTest {

    private static JsonNode reference;

    private static synchronized JsonNode reference(Path dir) throws java.io.IOException {
        if (reference == null) reference = new ObjectMapper().readTree(dir.resolve("reference-logits.json").toFile());
        return reference;
    }

    static Stream<String> types() {
        return Stream.of("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K");
    }

    /** The reference lists the raw (interleaved, as stored) value order, rounded to 6 significant digits. */
    @ParameterizedTest
    @MethodSource("types")
    void firstValuesOfAttnQMatchTheReferenceDequantization(String type) throws Exception {
        Path dir = SharedFixtures.require("models/tiny-random-llama");
        Path file = dir.resolve("tiny-random-llama-" + type + ".gguf");
        JsonNode ref = reference(dir).path("files").path(file.getFileName().toString()).path("blk.0.attn_q.weight.first512");
        assertThat(ref.size()).isEqualTo(512);
        try (GgufFile gguf = GgufReader.open(file)) {
            GgufTensorInfo info = gguf.tensors().get("blk.0.attn_q.weight");
            assertThat(info.type().name()).isEqualTo(type);
            float[] values = GgufDequantizer.dequantize(info.type(), gguf.tensorData(info), (int) info.elements());
            for (int i = 0; i < 512; i++) {
                double expected = ref.get(i).asDouble();
                assertThat((double) values[i]).as("%s value %d", type, i)
                        .isCloseTo(expected, within(Math.max(1e-7, Math.abs(expected) * 1e-5)));
            }
        }
    }
}
