package dev.dca.cli;

import static dev.dca.runtime.gguf.GgmlType.Q4_K;
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
        JsonNode json = r.json();
        assertThat(json.get("format").asText()).isEqualTo("gguf");
        assertThat(json.get("stored_dtype").asText()).isEqualTo("Q4_K");
        assertThat(json.get("tensor_types").toString()).isEqualTo("{\"F32\":5,\"Q4_K\":16}");
    }

    @Test
    void generate_on_a_gguf_uses_its_own_tokenizer() throws Exception {
        Path model = shared("models/stories260K-gguf/stories260K-F32.gguf");
        CliRunner.Result r = CliRunner.run("", "generate", "--model", model.toString(), "--prompt", "Once upon a time",
                "--max-tokens", "10", "--json");
        JsonNode json = r.json();
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

    /** llama.cpp's Q4_K_M / Q5_K_M rule on a 30-layer model: which matrices get Q6_K. */
    @Test
    void q4_k_m_gives_q6_k_to_the_output_and_some_attn_v_and_ffn_down() {
        assertThat(ModelRandomCommand.kMix("token_embd.weight", 30, true, Q4_K)).hasToString("Q6_K");
        assertThat(ModelRandomCommand.kMix("token_embd.weight", 30, false, Q4_K)).hasToString("Q4_K");
        assertThat(ModelRandomCommand.kMix("output.weight", 30, false, Q4_K)).hasToString("Q6_K");
        assertThat(ModelRandomCommand.kMix("blk.0.attn_q.weight", 30, true, Q4_K)).hasToString("Q4_K");
        java.util.List<Integer> more = new java.util.ArrayList<>();
        for (int l = 0; l < 30; l++) {
            if (ModelRandomCommand.kMix("blk." + l + ".ffn_down.weight", 30, true, Q4_K).toString().equals("Q6_K")) more.add(l);
            assertThat(ModelRandomCommand.kMix("blk." + l + ".attn_v.weight", 30, true, Q4_K))
                    .isEqualTo(ModelRandomCommand.kMix("blk." + l + ".ffn_down.weight", 30, true, Q4_K));
        }
        assertThat(more).containsExactly(0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 27, 28, 29);
    }

    /** A mixed Q5_K / Q6_K file written by {@code model random}: loads with both types held as stored and decodes. */
    @Test
    void model_random_writes_a_q5_k_m_mix_that_loads_and_generates() throws Exception {
        Path tok = shared("tokenizers/SmolLM2-135M-Instruct");
        Path cfgDir = Files.createDirectories(tmp.resolve("cfg"));
        Files.copy(tok.resolve("tokenizer.json"), cfgDir.resolve("tokenizer.json"));
        Files.writeString(cfgDir.resolve("config.json"), """
                {"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":256,"intermediate_size":512,
                 "num_attention_heads":4,"num_key_value_heads":2,"num_hidden_layers":8,"vocab_size":49152,
                 "max_position_embeddings":512,"rms_norm_eps":1e-5,"rope_theta":10000.0,"tie_word_embeddings":true,
                 "bos_token_id":1,"eos_token_id":2}
                """);
        Path file = tmp.resolve("mix.gguf");
        CliRunner.Result w = CliRunner.run("", "model", "random", "--config", cfgDir.toString(), "--format", "gguf",
                "--dtype", "q5_k_m", "--out", file.toString());
        assertThat(w.exitCode()).as(w.err()).isZero();
        CliRunner.Result info = CliRunner.run("", "model", "info", file.toString(), "--json");
        assertThat(info.exitCode()).as(info.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(info.out());
        // 8 layers: attn_v and ffn_down of layers 0 (first eighth), 3 and 6 (every third between) and 7 (last eighth)
        // in Q6_K, and the tied embedding
        assertThat(json.get("tensor_types").get("Q6_K").asInt()).isEqualTo(4 * 2 + 1);
        assertThat(json.get("tensor_types").get("Q5_K").asInt()).isEqualTo(8 * 7 - 4 * 2);
        CliRunner.Result gen = CliRunner.run("", "generate", "--model", file.toString(), "--prompt", "Hello", "--max-tokens", "3", "--json");
        assertThat(gen.exitCode()).as(gen.err()).isZero();
        assertThat(new ObjectMapper().readTree(gen.out()).get("tokens")).hasSize(3);
    }

    /** K types on rows that are not whole 256-value blocks fall back as llama.cpp's do. */
    @Test
    void k_types_on_576_wide_rows_fall_back_to_q5_0_q5_1_and_q8_0() {
        assertThat(ModelRandomCommand.fallback(Q4_K, 576)).hasToString("Q5_0");
        assertThat(ModelRandomCommand.fallback(dev.dca.runtime.gguf.GgmlType.Q5_K, 576)).hasToString("Q5_1");
        assertThat(ModelRandomCommand.fallback(dev.dca.runtime.gguf.GgmlType.Q6_K, 576)).hasToString("Q8_0");
        assertThat(ModelRandomCommand.fallback(Q4_K, 1536)).isEqualTo(Q4_K);
    }
}
