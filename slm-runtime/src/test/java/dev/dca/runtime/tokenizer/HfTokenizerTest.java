package dev.dca.runtime.tokenizer;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.ModelFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfTokenizerTest {

    @TempDir Path tmp;

    private static final List<String> TEXTS = List.of(
            "Hello world",
            " leading space and  double  spaces",
            "Numbers 1234567 and symbols $%^&*()",
            "Ünïcödé: héllo wörld ∑ 日本語 🚀",
            "line one\nline two\n\n\ttabbed",
            "<|im_start|>user\nhi<|im_end|>");

    /** Loaded once per class: parsing a 9 MB tokenizer.json takes seconds on a busy 2-core machine. */
    private static final java.util.Map<String, Tokenizer> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    private static Tokenizer load(String folder) {
        Path dir = SharedFixtures.require("tokenizers/" + folder);
        return LOADED.computeIfAbsent(folder, f -> HfTokenizer.load(dir).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"SmolLM2-135M-Instruct", "Qwen3-0.6B", "Meta-Llama-3-8B-Instruct", "Phi-3-mini-4k-instruct"})
    void should_load_and_round_trip_text(String folder) {
        Tokenizer tokenizer = load(folder);
        assertThat(tokenizer.vocabSize()).isGreaterThan(30_000);
        for (String text : TEXTS) {
            int[] ids = tokenizer.encode(text, false);
            assertThat(ids).as(text).isNotEmpty();
            assertThat(tokenizer.decode(ids, false)).as(folder + ": " + text).isEqualTo(text);
        }
    }

    @Test
    void should_add_bos_once_for_llama3_through_its_post_processor() {
        Tokenizer llama3 = load("Meta-Llama-3-8B-Instruct");
        // <|begin_of_text|> Hello  world
        assertThat(llama3.encode("Hello world", true)).containsExactly(128000, 9906, 1917);
        assertThat(llama3.encode("Hello world", false)).containsExactly(9906, 1917);
        assertThat(llama3.bosTokenId()).hasValue(128000);
        assertThat(llama3.eosTokenIds()).contains(128009); // <|eot_id|>
        assertThat(llama3.decode(llama3.encode("Hello world", true), true)).isEqualTo("Hello world");
    }

    /**
     * A Llama-class tokenizer whose tokenizer.json post-processor adds {@code <s>} itself (as Llama-2's does): BOS
     * comes from tokenizer_config's add_bos_token (and AddedToken objects), never twice.
     */
    @Test
    void should_add_bos_once_from_add_bos_token_even_when_the_post_processor_adds_one(@TempDir Path dir) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tj = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(SharedFixtures.require("tokenizers/Phi-3-mini-4k-instruct/tokenizer.json").toFile());
        tj.set("post_processor", json.readTree("""
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}
                """));
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
        String config = """
                {"tokenizer_class": "LlamaTokenizer", "add_bos_token": %s, "add_eos_token": %s,
                 "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
                 "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": false}}
                """;
        Files.writeString(dir.resolve("tokenizer_config.json"), config.formatted("true", "false"));
        Tokenizer withBos = HfTokenizer.load(dir).orElseThrow();
        int[] plain = withBos.encode("Hello world", false);
        assertThat(plain).doesNotContain(1);
        int[] ids = withBos.encode("Hello world", true);
        assertThat(ids[0]).isEqualTo(1);
        assertThat(Arrays.copyOfRange(ids, 1, ids.length)).containsExactly(plain);
        assertThat(withBos.bosTokenId()).hasValue(1);
        assertThat(withBos.eosTokenIds()).containsExactly(2);
        assertThat(withBos.decode(ids, true)).isEqualTo("Hello world");

        Files.writeString(dir.resolve("tokenizer_config.json"), config.formatted("false", "true"));
        Tokenizer eosOnly = HfTokenizer.load(dir).orElseThrow();
        assertThat(eosOnly.encode("Hello world", true)).startsWith(plain).endsWith(2).hasSize(plain.length + 1);
    }

    /** The old Llama-2 tokenizer.json in shared/ has merges modern tokenizers reject ("   "): a clean error. */
    @Test
    void should_report_an_unreadable_tokenizer_json_in_one_line() {
        Path dir = SharedFixtures.require("tokenizers/llama2-tokenizer");
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(dir.resolve("tokenizer.json").toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void should_follow_add_bos_token_false_of_phi3_llama_tokenizer() {
        Tokenizer phi3 = load("Phi-3-mini-4k-instruct");
        assertThat(phi3.encode("Hello", true)).isEqualTo(phi3.encode("Hello", false));
        assertThat(phi3.bosTokenId()).hasValue(1);
        assertThat(phi3.eosTokenIds()).contains(32000); // <|endoftext|>
    }

    @Test
    void should_add_no_bos_for_gpt2_and_qwen_style_tokenizers_and_read_generation_config_eos() {
        Tokenizer smol = load("SmolLM2-135M-Instruct");
        assertThat(smol.encode("Hello", true)).isEqualTo(smol.encode("Hello", false));
        assertThat(smol.eosTokenIds()).containsExactly(2); // <|im_end|> (tokenizer_config) = 2 (generation_config)
        Tokenizer qwen3 = load("Qwen3-0.6B");
        assertThat(qwen3.encode("Hello", true)).isEqualTo(qwen3.encode("Hello", false));
        assertThat(qwen3.bosTokenId()).isEmpty();
        assertThat(qwen3.eosTokenIds()).containsExactly(151645); // <|im_end|>
        assertThat(qwen3.encode("<|im_start|>", false)).containsExactly(151644);
    }

    @Test
    void should_take_eos_ids_from_a_generation_config_list(@TempDir Path dir) throws Exception {
        Path src = SharedFixtures.require("tokenizers/Qwen3-0.6B");
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(src.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [151645, 151643]}");
        assertThat(HfTokenizer.load(dir).orElseThrow().eosTokenIds()).containsExactlyInAnyOrder(151645, 151643);
    }

    @Test
    void should_skip_special_tokens_only_when_asked() {
        Tokenizer qwen3 = load("Qwen3-0.6B");
        int[] ids = qwen3.encode("<|im_start|>user\nhi<|im_end|>", false);
        assertThat(qwen3.decode(ids, true)).isEqualTo("user\nhi");
        assertThat(qwen3.decode(ids, false)).isEqualTo("<|im_start|>user\nhi<|im_end|>");
        assertThat(qwen3.tokenText(151645)).isEqualTo("<|im_end|>");
    }

    /** The Rust tokenizers library agrees with llama.cpp's test vectors for the same vocabularies. */
    @ParameterizedTest
    @ValueSource(strings = {"Meta-Llama-3-8B-Instruct:llama-bpe", "Qwen3-0.6B:qwen2"})
    void should_agree_with_llama_cpp_test_vectors(String spec) throws Exception {
        String[] parts = spec.split(":");
        Tokenizer tokenizer = load(parts[0]);
        Path inp = SharedFixtures.require("gguf-vocab/ggml-vocab-" + parts[1] + ".gguf.inp");
        List<String> inputs = GgufVocabTest.readInputs(inp);
        List<String> outputs = Files.readAllLines(Path.of(inp.toString().replace(".inp", ".out")), StandardCharsets.UTF_8);
        int passed = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String got = Arrays.stream(tokenizer.encode(inputs.get(i), false)).mapToObj(Integer::toString).collect(Collectors.joining(" "));
            if (got.equals(outputs.get(i).trim())) passed++;
        }
        System.out.println("HfTokenizer " + parts[0] + " vs gguf-vocab " + parts[1] + ": " + passed + "/" + inputs.size());
        assertThat(passed).isEqualTo(inputs.size());
    }

    @Test
    void should_be_empty_without_tokenizer_files() throws Exception {
        assertThat(HfTokenizer.load(tmp)).isEmpty();
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"LlamaTokenizer\"}");
        assertThat(HfTokenizer.load(tmp)).isEmpty();
    }

    /**
     * Qwen2.5 ships vocab.json + merges.txt only. Its byte-level BPE vocabulary is Qwen3's (ids below 151646
     * agree), so the slow-file tokenizer must give the ids Qwen3's tokenizer.json gives through the Rust library.
     */
    @Test
    void should_tokenize_qwen25_slow_files_like_the_rust_library_does_for_the_same_vocabulary() {
        Tokenizer qwen25 = load("Qwen2.5-0.5B-Instruct");
        Tokenizer qwen3 = load("Qwen3-0.6B");
        assertThat(qwen25.bosTokenId()).isEmpty();
        assertThat(qwen25.eosTokenIds()).containsExactly(151645, 151643); // <|im_end|>, then generation_config
        List<String> texts = new java.util.ArrayList<>(TEXTS);
        texts.add("Cafe\u0301 vs café"); // NFC: the decomposed é becomes the composed one
        for (String text : texts) {
            assertThat(qwen25.encode(text, true)).as(text).containsExactly(qwen3.encode(
                    java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC), true));
            assertThat(qwen25.decode(qwen25.encode(text, false), false)).isEqualTo(
                    java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC));
        }
    }

    @Test
    void should_name_a_corrupt_tokenizer_json_in_one_line() throws Exception {
        Path file = tmp.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"added_tokens\": [], \"version\": \"1.0\", \"truncated");
        assertThatThrownBy(() -> HfTokenizer.load(tmp))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        Files.writeString(file, "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}, \"added_tokens\": []}");
        assertThatThrownBy(() -> HfTokenizer.load(tmp))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
