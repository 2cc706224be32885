package dev.dca.runtime.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust {@code tokenizers} library through DJL (its native library
 * ships in the jar; nothing is downloaded), with BOS/EOS decided the way {@code transformers} decides them:
 *
 * <ul>
 *   <li>Llama-style tokenizer classes ({@code LlamaTokenizer[Fast]}, {@code CodeLlamaTokenizer}, {@code Gemma...})
 *       rebuild their post-processor from {@code add_bos_token} (default true) and {@code add_eos_token} (default
 *       false) in {@code tokenizer_config.json}: we encode without specials and add them from those flags;</li>
 *   <li>every other class uses the post-processor stored in {@code tokenizer.json} as it is (Llama-3's adds
 *       {@code <|begin_of_text|>}; SmolLM2's and Qwen's add nothing), so BOS is never doubled.</li>
 * </ul>
 *
 * End-of-generation ids are the {@code eos_token} of {@code tokenizer_config.json} together with
 * {@code generation_config.json}'s {@code eos_token_id} (a number or a list).
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer hf;
    private final String[] tokenTexts; // [vocab] id -> token string
    private final Map<String, Integer> ids; // token string -> id
    private final boolean manualSpecials; // Llama-style: add BOS/EOS ourselves from the flags
    private final boolean addBos;
    private final boolean addEos;
    private final OptionalInt bos;
    private final OptionalInt eos;
    private final int[] eosIds;

    private HfTokenizer(HuggingFaceTokenizer hf, String[] tokenTexts, Map<String, Integer> ids, boolean manualSpecials,
            boolean addBos, boolean addEos, OptionalInt bos, OptionalInt eos, int[] eosIds) {
        this.hf = hf;
        this.tokenTexts = tokenTexts;
        this.ids = ids;
        this.manualSpecials = manualSpecials;
        this.addBos = addBos;
        this.addEos = addEos;
        this.bos = bos;
        this.eos = eos;
        this.eosIds = eosIds;
    }

    /**
     * Loads the tokenizer of a Hugging Face model folder: {@code tokenizer.json} through DJL; without it, the slow
     * byte-level BPE files {@code vocab.json} + {@code merges.txt} of a {@code Qwen2Tokenizer}/{@code GPT2Tokenizer}
     * (see {@link HfBpeFilesTokenizer}); empty when the folder has neither.
     *
     * @throws ModelFormatException when a tokenizer file exists but cannot be read
     */
    public static Optional<Tokenizer> load(Path folder) {
        Path tokenizerJson = folder.resolve("tokenizer.json");
        JsonNode config = readJson(folder.resolve("tokenizer_config.json"));
        JsonNode generation = readJson(folder.resolve("generation_config.json"));
        if (!Files.isRegularFile(tokenizerJson)) return HfBpeFilesTokenizer.load(folder, config, generation);
        JsonNode tokJson = readJson(tokenizerJson);
        if (tokJson == null || !tokJson.has("model")) {
            throw new ModelFormatException(tokenizerJson, "not a Hugging Face tokenizer.json (no \"model\")");
        }

        // id <-> token text: the model vocabulary and the added tokens
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = tokJson.path("model").path("vocab");
        if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {"token": id}
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ids.put(e.getKey(), e.getValue().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: [["token", score], ...]
            for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i).get(0).asText(), i);
        }
        for (JsonNode added : tokJson.path("added_tokens")) ids.put(added.path("content").asText(), added.path("id").asInt());
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (size <= 0 || size > 10_000_000) {
            throw new ModelFormatException(tokenizerJson, "tokenizer.json has no usable vocabulary (size " + size + ")");
        }
        String[] texts = new String[size];
        ids.forEach((t, id) -> {
            if (id >= 0 && (texts[id] == null)) texts[id] = t;
        });

        String cls = config == null ? "" : config.path("tokenizer_class").asText("");
        String lc = cls.toLowerCase(Locale.ROOT);
        boolean manual = lc.startsWith("llamatokenizer") || lc.startsWith("codellamatokenizer") || lc.startsWith("gemmatokenizer");
        boolean addBos = manual && (config == null || config.path("add_bos_token").asBoolean(true));
        boolean addEos = manual && config != null && config.path("add_eos_token").asBoolean(false);

        OptionalInt bos = idOf(ids, config == null ? null : config.get("bos_token"));
        OptionalInt eos = idOf(ids, config == null ? null : config.get("eos_token"));
        if (bos.isEmpty() && generation != null && generation.path("bos_token_id").isInt()) {
            bos = OptionalInt.of(generation.path("bos_token_id").asInt());
        }
        Set<Integer> eosSet = new LinkedHashSet<>();
        eos.ifPresent(eosSet::add);
        if (generation != null) {
            JsonNode g = generation.get("eos_token_id");
            if (g != null && g.isInt()) eosSet.add(g.asInt());
            if (g != null && g.isArray()) g.forEach(n -> eosSet.add(n.asInt()));
        }
        if (manual && addBos && bos.isEmpty()) {
            throw new ModelFormatException(folder.resolve("tokenizer_config.json"), "add_bos_token is set but bos_token is not in the vocabulary");
        }

        HuggingFaceTokenizer hf;
        try {
            // no truncation or padding: the engine decides about context length, not the tokenizer
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(true)
                    .optTruncation(false)
                    .optPadding(false)
                    .optMaxLength(Integer.MAX_VALUE / 2)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(tokenizerJson, "cannot load tokenizer: " + oneLine(e), e);
        }
        return Optional.of(new HfTokenizer(hf, texts, ids, manual, addBos, addEos, bos, eos,
                eosSet.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** bos_token/eos_token as a string or an AddedToken object {@code {"content": ...}}. */
    private static OptionalInt idOf(Map<String, Integer> ids, JsonNode token) {
        if (token == null || token.isNull()) return OptionalInt.empty();
        String text = token.isTextual() ? token.asText() : token.path("content").asText(null);
        Integer id = text == null ? null : ids.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) return null;
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "invalid JSON: " + oneLine(e), e);
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] raw = hf.encode(text, addSpecialTokens && !manualSpecials, false).getIds();
        int extra = addSpecialTokens && manualSpecials ? (addBos ? 1 : 0) + (addEos ? 1 : 0) : 0;
        int[] out = new int[raw.length + extra];
        int n = 0;
        if (addSpecialTokens && manualSpecials && addBos) out[n++] = bos.getAsInt();
        for (long id : raw) out[n++] = Math.toIntExact(id);
        if (addSpecialTokens && manualSpecials && addEos && eos.isPresent()) out[n++] = eos.getAsInt();
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tokenTexts.length) {
                throw new IllegalArgumentException("token id " + ids[i] + " outside vocabulary 0.." + (tokenTexts.length - 1));
            }
            l[i] = ids[i];
        }
        return hf.decode(l, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return tokenTexts.length;
    }

    @Override
    public OptionalInt bosTokenId() {
        return bos;
    }

    @Override
    public int[] eosTokenIds() {
        return eosIds.clone();
    }

    @Override
    public String tokenText(int id) {
        String t = tokenTexts[id];
        return t == null ? "" : t;
    }

    /** The id of a token string (e.g. {@code "<|im_end|>"}), if the vocabulary has it. */
    public OptionalInt tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Whether {@link #encode} with special tokens adds BOS itself (from the config flags or the post-processor). */
    public boolean addsBos() {
        if (manualSpecials) return addBos;
        int[] probe = encode("a", true);
        return bos.isPresent() && probe.length > 0 && probe[0] == bos.getAsInt();
    }

    @Override
    public void close() {
        hf.close();
    }
}
