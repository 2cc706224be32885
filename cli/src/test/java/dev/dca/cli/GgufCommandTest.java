package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dca model info}, {@code dca generate} and {@code dca model random --format gguf} on GGUF files. */
class GgufCommandTest {

    @TempDir
    Path tmp;

    static Path shared(String relative) {
        Path p = Path.of(System.getProperty("dca.shared", "../../shared")).resolve(relative);
        assumeTrue(Files.exists(p), p + " is absent");
        return p;
    }

    @Test
    void model_info_lists_tensor_types_with_counts() throws Exception {
        Path model = shared("models/tiny-random-llama/tiny-random-llama-Q4_K.gguf");
        CliRunner.Result r = CliRunner.run("", "model", "info", model.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("format").asText()).isEqualTo("gguf");
        assertThat(json.get("stored_dtype").asText()).isEqualTo("Q4_K");
        assertThat(json.get("tensor_types").toString()).isEqualTo("{\"F32\":5,\"Q4_K\":16}");
    }

    @Test
    void generate_on_a_gguf_uses_its_own_tokenizer() throws Exception {
        Path model = shared("models/stories260K-gguf/stories260K-F32.gguf");
        CliRunner.Result r = CliRunner.run("", "generate", "--model", model.toString(), "--prompt", "Once upon a time",
                "--max-tokens", "10", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("prompt_tokens").toString()).isEqualTo("[1,403,407,261,378]");
        assertThat(json.get("tokens").toString()).isEqualTo("[432,383,286,261,376,298,315,421,395,317]"); // gguf-greedy.json
    }

    @Test
    void a_truncated_gguf_is_one_line_exit_2() throws Exception {
        byte[] b = Files.readAllBytes(shared("models/stories260K-gguf/stories260K-F32.gguf"));
        Path cut = Files.write(tmp.resolve("cut.gguf"), java.util.Arrays.copyOf(b, b.length / 2));
        CliRunner.Result r = CliRunner.run("", "model", "info", cut.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("dca: " + cut + ": tensor ").contains("file truncated?").doesNotContain("\n");
    }
}
