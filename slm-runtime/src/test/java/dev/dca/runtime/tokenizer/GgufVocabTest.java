package dev.dca.runtime.tokenizer;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dca.runtime.gguf.GgufFile;
import dev.dca.runtime.gguf.GgufReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llama.cpp's own tokenizer test vectors ({@code shared/gguf-vocab}): every string of a {@code .inp} encodes (no
 * BOS, special tokens not parsed, as test-tokenizer-0 does) to the ids on the matching {@code .out} line.
 *
 * <p>Every vocabulary there (SentencePiece, byte-level BPE with eight pre-tokenizers, and BERT WordPiece) passes
 * completely (46/46 each, measured), so the floor per file is the full count.
 */
class GgufVocabTest {

    static Stream<Arguments> vocabularies() throws IOException {
        Path dir = SharedFixtures.root().resolve("gguf-vocab");
        if (!Files.isDirectory(dir)) return Stream.of(Arguments.of("(gguf-vocab absent)"));
        try (Stream<Path> files = Files.list(dir)) {
            List<Arguments> args = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".gguf") && Files.exists(dir.resolve(n + ".inp")))
                    .sorted()
                    .map(Arguments::of)
                    .collect(Collectors.toCollection(ArrayList::new));
            return args.stream();
        }
    }

    /** llama.cpp's test-tokenizer-0 format: strings separated by a line {@code __ggml_vocab_test__}. */
    static List<String> readInputs(Path inp) throws IOException {
        String content = Files.readString(inp, StandardCharsets.UTF_8);
        String sep = "\n__ggml_vocab_test__\n";
        List<String> tests = new ArrayList<>();
        int pos;
        while ((pos = content.indexOf(sep)) >= 0) {
            tests.add(content.substring(0, pos));
            content = content.substring(pos + sep.length());
        }
        return tests;
    }

    static String joined(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabularies")
    void should_encode_every_test_string_like_llama_cpp(String file) throws IOException {
        Path gguf = SharedFixtures.root().resolve("gguf-vocab").resolve(file);
        assumeTrue(Files.exists(gguf), "shared fixture absent: " + gguf);
        Map<String, Object> metadata;
        try (GgufFile g = GgufReader.open(gguf)) {
            metadata = g.metadata();
        }
        String model = String.valueOf(metadata.get("tokenizer.ggml.model"));
        String name = file.replace("ggml-vocab-", "").replace(".gguf", "");
        if (!model.equals("llama") && !model.equals("gpt2") && !model.equals("bert")) {
            System.out.println("gguf-vocab " + name + ": skipped (tokenizer.ggml.model = " + model + " not supported)");
            assumeTrue(false, "tokenizer model " + model + " not supported");
        }
        GgufTokenizer tokenizer = GgufTokenizer.fromMetadata(metadata);
        List<String> inputs = readInputs(Path.of(gguf + ".inp"));
        List<String> outputs = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        assertThat(outputs).hasSameSizeAs(inputs);

        int passed = 0;
        int roundTrips = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            int[] ids = tokenizer.encode(inputs.get(i), false, false);
            if (joined(ids).equals(outputs.get(i).trim())) passed++;
            else failures.add("[" + inputs.get(i).replace("\n", "\\n") + "] expected " + outputs.get(i).trim() + " got " + joined(ids));
            if (tokenizer.decode(ids, false).equals(inputs.get(i))) roundTrips++;
        }
        System.out.println("gguf-vocab " + name + ": " + passed + "/" + inputs.size()
                + " (decode round-trips " + roundTrips + "/" + inputs.size() + ")");
        failures.forEach(f -> System.out.println("  " + f));
        // every supported file passes completely (llama-spm, gpt-2 and phi-3 are required; the others are our floor)
        assertThat(failures).as(name).isEmpty();
        if (!model.equals("bert")) { // WordPiece lower-cases and drops accents: not reversible
            assertThat(roundTrips).as(name + " decode(encode(s)) == s").isEqualTo(inputs.size());
        }
    }

    /**
     * The test vectors of llama-bpe, qwen2 and qwen35 come without their {@code .gguf}; the same vocabularies ship as
     * Hugging Face {@code tokenizer.json} (Llama-3, Qwen3), so the GGUF metadata llama.cpp's converter would write
     * is built from them (tokens by id, merges, added tokens as control/user-defined) and the pre-tokenizer regexes
     * of llama3/qwen2/qwen35 are checked against llama.cpp's ids.
     */
    @ParameterizedTest(name = "{1} with {0} vocabulary")
    @org.junit.jupiter.params.provider.CsvSource({
        "Meta-Llama-3-8B-Instruct, llama-bpe",
        "Qwen3-0.6B, qwen2",
        "Qwen3-0.6B, qwen35"
    })
    void should_split_like_llama_cpp_for_vocabularies_shipped_as_tokenizer_json(String folder, String pre) throws IOException {
        Path tokenizerJson = SharedFixtures.require("tokenizers/" + folder + "/tokenizer.json");
        Path inp = SharedFixtures.require("gguf-vocab/ggml-vocab-" + pre + ".gguf.inp");
        GgufTokenizer tokenizer = GgufTokenizer.fromMetadata(metadataFromTokenizerJson(tokenizerJson, pre));
        List<String> inputs = readInputs(inp);
        List<String> outputs = Files.readAllLines(Path.of(inp.toString().replace(".inp", ".out")), StandardCharsets.UTF_8);
        int passed = 0;
        for (int i = 0; i < inputs.size(); i++) {
            if (joined(tokenizer.encode(inputs.get(i), false, false)).equals(outputs.get(i).trim())) passed++;
        }
        System.out.println("gguf-vocab " + pre + " (vocabulary of " + folder + "): " + passed + "/" + inputs.size());
        assertThat(passed).isEqualTo(inputs.size());
    }

    /** What convert_hf_to_gguf.py writes for a byte-level BPE tokenizer.json. */
    static Map<String, Object> metadataFromTokenizerJson(Path tokenizerJson, String pre) throws IOException {
        com.fasterxml.jackson.databind.JsonNode tj = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenizerJson.toFile());
        java.util.TreeMap<Integer, String> byId = new java.util.TreeMap<>();
        Map<Integer, Integer> types = new java.util.HashMap<>();
        tj.get("model").get("vocab").fields().forEachRemaining(e -> byId.put(e.getValue().asInt(), e.getKey()));
        for (com.fasterxml.jackson.databind.JsonNode t : tj.get("added_tokens")) {
            byId.put(t.get("id").asInt(), t.get("content").asText());
            types.put(t.get("id").asInt(), t.get("special").asBoolean() ? GgufTokenizer.TYPE_CONTROL : GgufTokenizer.TYPE_USER_DEFINED);
        }
        int n = byId.lastKey() + 1;
        List<Object> tokens = new ArrayList<>(n);
        List<Object> tokenTypes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(byId.getOrDefault(i, "[PAD" + i + "]"));
            tokenTypes.add(types.getOrDefault(i, GgufTokenizer.TYPE_NORMAL));
        }
        List<Object> merges = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode m : tj.get("model").get("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        return Map.of("tokenizer.ggml.model", "gpt2", "tokenizer.ggml.pre", pre, "tokenizer.ggml.tokens", tokens,
                "tokenizer.ggml.token_type", tokenTypes, "tokenizer.ggml.merges", merges);
    }
}
