package dev.dca.foundry.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a byte-level BPE tokenizer (GPT-2 style byte alphabet) and writes it as a Hugging Face
 * {@code tokenizer.json} + {@code tokenizer_config.json}.
 *
 * <p>Written by hand because no Java library trains one: DJL's Hugging Face binding only loads tokenizers (the
 * Rust trainer is not exposed), SentencePiece has no maintained Java trainer on Maven Central. The files are the
 * standard format, so Hugging Face's own loader (DJL's binding, {@code transformers}) does the encoding; this
 * class only decides the merges.
 *
 * <p>Pre-tokenization (same regex at training and at run time): Llama 3's split, except that every digit is a token
 * of its own (optionally with the space before it), so arithmetic sees digits, not arbitrary number chunks.
 */
public final class BpeTrainer {

    /** Split pattern, valid both as a Java and as an Oniguruma regex. */
    public static final String SPLIT_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)| ?\\p{L}+| ?\\p{N}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final Pattern SPLIT = Pattern.compile(SPLIT_REGEX);
    private static final Pattern SPECIAL = Pattern.compile(
            String.join("|", ChatFormat.SPECIAL_TOKENS.stream().map(Pattern::quote).toList()));

    private final int vocabSize;
    private final Map<String, Long> wordCounts = new HashMap<>();

    /** @param vocabSize total vocabulary: special tokens + 256 bytes + merges */
    public BpeTrainer(int vocabSize) {
        int min = ChatFormat.SPECIAL_TOKENS.size() + 256;
        if (vocabSize < min) throw new IllegalArgumentException("vocab size must be at least " + min + ", got " + vocabSize);
        this.vocabSize = vocabSize;
    }

    /** Counts the pre-tokens of one text (special tokens are skipped: they are never merged). */
    public void add(String text) {
        for (String piece : SPECIAL.split(text)) {
            Matcher m = SPLIT.matcher(piece);
            while (m.find()) wordCounts.merge(m.group(), 1L, Long::sum);
        }
    }

    /** The learned tokenizer. */
    public Result train() {
        String[] byteChar = byteToUnicode();
        List<String> tokens = new ArrayList<>(ChatFormat.SPECIAL_TOKENS);
        int firstByte = tokens.size();
        for (int b = 0; b < 256; b++) tokens.add(byteChar[b]);

        // words as symbol id sequences, with their counts
        List<int[]> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] w = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) w[i] = firstByte + (bytes[i] & 0xFF);
            words.add(w);
            counts.add(e.getValue());
        });

        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> pairWords = new HashMap<>();
        for (int wi = 0; wi < words.size(); wi++) addPairs(words.get(wi), counts.get(wi), wi, pairCounts, pairWords);

        List<String> merges = new ArrayList<>();
        while (tokens.size() < vocabSize) {
            long best = -1, bestCount = 0;
            for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && c > 0 && e.getKey() < best)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (bestCount < 2) break; // nothing left worth merging
            int a = (int) (best >>> 32), b = (int) best;
            int merged = tokens.size();
            tokens.add(tokens.get(a) + tokens.get(b));
            merges.add(tokens.get(a) + " " + tokens.get(b));
            for (int wi : new ArrayList<>(pairWords.getOrDefault(best, Set.of()))) {
                int[] w = words.get(wi);
                long c = counts.get(wi);
                addPairs(w, -c, -1, pairCounts, null);
                int[] nw = mergeWord(w, a, b, merged);
                words.set(wi, nw);
                addPairs(nw, c, wi, pairCounts, pairWords);
            }
            pairCounts.remove(best);
            pairWords.remove(best);
        }
        return new Result(tokens, merges);
    }

    private static void addPairs(int[] w, long delta, int wordIndex, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> pairWords) {
        for (int i = 0; i + 1 < w.length; i++) {
            long key = ((long) w[i] << 32) | (w[i + 1] & 0xFFFFFFFFL);
            pairCounts.merge(key, delta, Long::sum);
            if (pairWords != null) pairWords.computeIfAbsent(key, k -> new HashSet<>()).add(wordIndex);
        }
    }

    private static int[] mergeWord(int[] w, int a, int b, int merged) {
        int[] out = new int[w.length];
        int n = 0;
        for (int i = 0; i < w.length; i++) {
            if (i + 1 < w.length && w[i] == a && w[i + 1] == b) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = w[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** GPT-2's reversible map from bytes to printable unicode characters (so tokens are valid JSON strings). */
    static String[] byteToUnicode() {
        String[] map = new String[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? String.valueOf((char) b) : String.valueOf((char) (256 + next++));
        }
        return map;
    }

    /** Vocabulary size of a tokenizer.json: one more than the largest id of its vocabulary and added tokens. */
    public static int vocabSize(Path tokenizerJson) throws IOException {
        var root = new ObjectMapper().readTree(tokenizerJson.toFile());
        int max = -1;
        for (var it = root.path("model").path("vocab").elements(); it.hasNext(); ) max = Math.max(max, it.next().asInt());
        for (var t : root.path("added_tokens")) max = Math.max(max, t.path("id").asInt());
        return max + 1;
    }

    /** A trained vocabulary: token strings by id, and the merges in priority order. */
    public record Result(List<String> tokens, List<String> merges) {

        public int vocabSize() {
            return tokens.size();
        }

        /**
         * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code folder}.
         *
         * @param contextLength the model's context ({@code model_max_length})
         */
        public void write(Path folder, int contextLength) throws IOException {
            Files.createDirectories(folder);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = json.createObjectNode();
            root.put("version", "1.0");
            root.putNull("truncation");
            root.putNull("padding");
            ArrayNode added = root.putArray("added_tokens");
            for (int i = 0; i < ChatFormat.SPECIAL_TOKENS.size(); i++) {
                added.addObject().put("id", i).put("content", ChatFormat.SPECIAL_TOKENS.get(i)).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
            }
            root.putNull("normalizer");
            ObjectNode pre = root.putObject("pre_tokenizer");
            pre.put("type", "Sequence");
            ArrayNode seq = pre.putArray("pretokenizers");
            ObjectNode split = seq.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", SPLIT_REGEX);
            split.put("behavior", "Isolated").put("invert", false);
            seq.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
            root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
            root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                    .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false);
            ObjectNode vocab = model.putObject("vocab");
            for (int i = 0; i < tokens.size(); i++) vocab.put(tokens.get(i), i);
            ArrayNode m = model.putArray("merges");
            merges.forEach(m::add);
            json.writeValue(folder.resolve("tokenizer.json").toFile(), root);

            Map<String, Object> config = new LinkedHashMap<>();
            config.put("tokenizer_class", "PreTrainedTokenizerFast");
            config.put("bos_token", ChatFormat.BOS);
            config.put("eos_token", ChatFormat.IM_END);
            config.put("pad_token", ChatFormat.BOS);
            config.put("unk_token", null);
            config.put("add_bos_token", false);
            config.put("add_eos_token", false);
            config.put("model_max_length", contextLength);
            config.put("clean_up_tokenization_spaces", false);
            Map<String, Object> decoder = new LinkedHashMap<>();
            for (int i = 0; i < ChatFormat.SPECIAL_TOKENS.size(); i++) {
                decoder.put(Integer.toString(i), Map.of("content", ChatFormat.SPECIAL_TOKENS.get(i), "lstrip", false,
                        "rstrip", false, "normalized", false, "single_word", false, "special", true));
            }
            config.put("added_tokens_decoder", decoder);
            config.put("additional_special_tokens", List.of(ChatFormat.IM_START, ChatFormat.IM_END));
            config.put("chat_template", ChatFormat.JINJA_TEMPLATE);
            json.writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
        }
    }
}
