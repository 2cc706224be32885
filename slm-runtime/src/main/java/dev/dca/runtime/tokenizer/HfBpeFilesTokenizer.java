package dev.dca.runtime.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face folder that ships only the "slow" byte-level BPE files, {@code vocab.json} + {@code merges.txt}
 * (Qwen2.5 does), tokenized as {@code transformers}' {@code Qwen2Tokenizer} / {@code GPT2Tokenizer} do: NFC
 * normalisation (Qwen2 only), the class's pre-tokenizer regex, ranked merges, added tokens from
 * {@code tokenizer_config.json}'s {@code added_tokens_decoder} matched whole. The merge loop is
 * {@link GgufTokenizer}'s (the same algorithm, checked against llama.cpp's test vectors); DJL cannot read these files.
 */
final class HfBpeFilesTokenizer implements Tokenizer {

    private final GgufTokenizer bpe;
    private final boolean nfc;
    private final OptionalInt bos;
    private final boolean addBos;
    private final int[] eos;

    private HfBpeFilesTokenizer(GgufTokenizer bpe, boolean nfc, OptionalInt bos, boolean addBos, int[] eos) {
        this.bpe = bpe;
        this.nfc = nfc;
        this.bos = bos;
        this.addBos = addBos;
        this.eos = eos;
    }

    /** Empty when the folder lacks the files or its tokenizer_class is not a byte-level BPE we know. */
    static Optional<Tokenizer> load(Path folder, JsonNode config, JsonNode generation) {
        Path vocabFile = folder.resolve("vocab.json");
        Path mergesFile = folder.resolve("merges.txt");
        if (!Files.isRegularFile(vocabFile) || !Files.isRegularFile(mergesFile) || config == null) return Optional.empty();
        String cls = config.path("tokenizer_class").asText("");
        String pre;
        boolean nfc;
        if (cls.startsWith("Qwen2Tokenizer")) {
            pre = "qwen2";
            nfc = true;
        } else if (cls.startsWith("GPT2Tokenizer")) {
            pre = "gpt-2";
            nfc = false;
        } else {
            return Optional.empty();
        }
        JsonNode vocab;
        try {
            vocab = new ObjectMapper().readTree(vocabFile.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(vocabFile, "invalid JSON: " + firstLine(e.getMessage()), e);
        }
        if (!vocab.isObject() || vocab.isEmpty()) throw new ModelFormatException(vocabFile, "not a {token: id} vocabulary");
        Map<Integer, String> byId = new HashMap<>();
        Map<Integer, Integer> types = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new ModelFormatException(vocabFile, "token " + e.getKey() + " has no valid id");
            }
            byId.put(e.getValue().asInt(), e.getKey());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path("added_tokens_decoder").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new ModelFormatException(folder.resolve("tokenizer_config.json"), "added token id '" + e.getKey() + "' is not a number");
            }
            byId.put(id, e.getValue().path("content").asText());
            types.put(id, e.getValue().path("special").asBoolean(false) ? GgufTokenizer.TYPE_CONTROL : GgufTokenizer.TYPE_USER_DEFINED);
        }
        int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (n > 10_000_000) throw new ModelFormatException(vocabFile, "token id " + (n - 1) + " out of range");
        List<Object> tokens = new ArrayList<>(n);
        List<Object> tokenTypes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(byId.getOrDefault(i, "[PAD" + i + "]"));
            tokenTypes.add(types.getOrDefault(i, byId.containsKey(i) ? GgufTokenizer.TYPE_NORMAL : GgufTokenizer.TYPE_UNUSED));
        }
        List<Object> merges = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(mergesFile, StandardCharsets.UTF_8)) {
                if (line.startsWith("#version") || line.isBlank()) continue;
                merges.add(line);
            }
        } catch (IOException e) {
            throw new ModelFormatException(mergesFile, "cannot read merges: " + e.getMessage(), e);
        }
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("tokenizer.ggml.model", "gpt2");
        metadata.put("tokenizer.ggml.pre", pre);
        metadata.put("tokenizer.ggml.tokens", tokens);
        metadata.put("tokenizer.ggml.token_type", tokenTypes);
        metadata.put("tokenizer.ggml.merges", merges);
        metadata.put("tokenizer.ggml.add_bos_token", false);
        GgufTokenizer bpe = GgufTokenizer.fromMetadata(metadata);

        Map<String, Integer> ids = new HashMap<>();
        byId.forEach((id, t) -> ids.putIfAbsent(t, id));
        OptionalInt bos = idOf(ids, config.get("bos_token"));
        boolean addBos = config.path("add_bos_token").asBoolean(false) && bos.isPresent();
        Set<Integer> eos = new LinkedHashSet<>();
        idOf(ids, config.get("eos_token")).ifPresent(eos::add);
        if (generation != null) {
            JsonNode g = generation.get("eos_token_id");
            if (g != null && g.isInt()) eos.add(g.asInt());
            if (g != null && g.isArray()) g.forEach(x -> eos.add(x.asInt()));
        }
        return Optional.of(new HfBpeFilesTokenizer(bpe, nfc, bos, addBos, eos.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static OptionalInt idOf(Map<String, Integer> ids, JsonNode token) {
        if (token == null || token.isNull()) return OptionalInt.empty();
        String text = token.isTextual() ? token.asText() : token.path("content").asText(null);
        Integer id = text == null ? null : ids.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        String normalized = nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
        int[] ids = bpe.encode(normalized, false, true);
        if (!(addSpecialTokens && addBos)) return ids;
        int[] out = new int[ids.length + 1];
        out[0] = bos.getAsInt();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return bpe.decode(ids, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return bpe.vocabSize();
    }

    @Override
    public OptionalInt bosTokenId() {
        return bos;
    }

    @Override
    public int[] eosTokenIds() {
        return eos.clone();
    }

    @Override
    public String tokenText(int id) {
        return bpe.tokenText(id);
    }
}
