package dev.dca.runtime.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tokenizer stored in a GGUF file's metadata ({@code tokenizer.ggml.*}), reproducing llama.cpp's
 * {@code llama-vocab.cpp} token for token:
 *
 * <ul>
 *   <li>{@code llama}: SentencePiece-style BPE over code points, merging the best-scoring pair first
 *       ({@code llm_tokenizer_spm}), spaces escaped as {@code ▁}, a space prefixed to each text run that starts the
 *       input or follows a special token ({@code add_space_prefix}), {@code <0xNN>} byte fallback;</li>
 *   <li>{@code gpt2}: byte-level BPE with ranked {@code tokenizer.ggml.merges} after the pre-tokenizer regexes
 *       named by {@code tokenizer.ggml.pre} ({@code llm_tokenizer_bpe});</li>
 *   <li>{@code bert}: WordPiece over phantom-space tokens ({@code llm_tokenizer_wpm}), for BERT-style encoders.</li>
 * </ul>
 *
 * In both, user-defined tokens (and control tokens when special tokens are parsed) are cut out of the text first,
 * longest first ({@code tokenizer_st_partition}). Written by hand because no Java library reads GGUF vocabularies;
 * the regexes are llama.cpp's, run by {@link java.util.regex} with Unicode classes (llama.cpp maps non-ASCII
 * whitespace onto {@code \s} the same way).
 */
public final class GgufTokenizer implements Tokenizer {

    // tokenizer.ggml.token_type values
    static final int TYPE_NORMAL = 1, TYPE_UNKNOWN = 2, TYPE_CONTROL = 3, TYPE_USER_DEFINED = 4, TYPE_UNUSED = 5,
            TYPE_BYTE = 6;
    // llama.cpp token attributes (bit flags)
    private static final int ATTR_UNKNOWN = 1 << 1, ATTR_UNUSED = 1 << 2, ATTR_NORMAL = 1 << 3, ATTR_CONTROL = 1 << 4,
            ATTR_USER_DEFINED = 1 << 5, ATTR_BYTE = 1 << 6, ATTR_LSTRIP = 1 << 8, ATTR_RSTRIP = 1 << 9;

    private enum Kind { SPM, BPE, WPM }

    private final Kind kind;
    private final String[] tokens; // [vocab]
    private final float[] scores; // [vocab]
    private final int[] attrs; // [vocab] llama.cpp attribute flags
    private final Map<String, Integer> ids;
    private final Map<String, Integer> mergeRanks; // "left right" -> rank (BPE)
    private final List<Pattern> preTokenizer; // BPE split regexes, applied in order
    private final boolean ignoreMerges;
    private final boolean addSpacePrefix;
    private final boolean addBos;
    private final boolean addEos;
    private final int bos;
    private final int eos;
    private final int unk;
    private final int pad;
    private final int[] eog;
    private final int[] specialTokens; // user-defined/control/unknown ids, longest text first
    private final String pre;
    private final int sep; // BERT [SEP], appended with special tokens
    private final boolean lowercase; // BERT normalizer
    private final boolean stripAccents;
    private final int maxTokenChars; // longest token, bounds the WordPiece search

    private GgufTokenizer(Kind kind, String pre, String[] tokens, float[] scores, int[] attrs,
            Map<String, Integer> mergeRanks, List<Pattern> preTokenizer, boolean ignoreMerges, boolean addSpacePrefix,
            boolean addBos, boolean addEos, int bos, int eos, int unk, int pad, int[] eog, int sep, boolean lowercase,
            boolean stripAccents) {
        this.kind = kind;
        this.sep = sep;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        this.pre = pre;
        this.tokens = tokens;
        this.scores = scores;
        this.attrs = attrs;
        this.mergeRanks = mergeRanks;
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        this.addSpacePrefix = addSpacePrefix;
        this.addBos = addBos;
        this.addEos = addEos;
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.pad = pad;
        this.eog = eog;
        int longest = 0;
        for (String t : tokens) longest = Math.max(longest, t.length());
        this.maxTokenChars = longest;
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) ids.putIfAbsent(tokens[i], i);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if ((attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0 && !tokens[i].isEmpty()) special.add(i);
        }
        // longest (in UTF-8 bytes) first, as llama.cpp's cache_special_tokens
        special.sort((a, b) -> {
            int byLength = Integer.compare(tokens[b].getBytes(StandardCharsets.UTF_8).length,
                    tokens[a].getBytes(StandardCharsets.UTF_8).length);
            return byLength != 0 ? byLength : Integer.compare(a, b);
        });
        this.specialTokens = special.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Builds the tokenizer from GGUF metadata (arrays as {@link List}, strings as {@link String}).
     *
     * @throws IllegalArgumentException when the metadata has no usable tokenizer (the caller names the file)
     */
    public static GgufTokenizer fromMetadata(Map<String, Object> metadata) {
        try {
            return build(metadata);
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("tokenizer metadata has a value of the wrong type (" + e.getMessage() + ")", e);
        }
    }

    private static GgufTokenizer build(Map<String, Object> metadata) {
        String model = string(metadata, "tokenizer.ggml.model", null);
        if (model == null) throw new IllegalArgumentException("no tokenizer.ggml.model in the metadata");
        Kind kind = switch (model) {
            case "llama" -> Kind.SPM;
            case "gpt2" -> Kind.BPE;
            case "bert" -> Kind.WPM;
            default -> throw new IllegalArgumentException("unsupported tokenizer.ggml.model '" + model
                    + "' (supported: llama, gpt2, bert)");
        };
        List<?> tokenList = list(metadata, "tokenizer.ggml.tokens");
        if (tokenList == null || tokenList.isEmpty()) throw new IllegalArgumentException("no tokenizer.ggml.tokens in the metadata");
        int n = tokenList.size();
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            Object t = tokenList.get(i);
            if (!(t instanceof String s)) throw new IllegalArgumentException("tokenizer.ggml.tokens[" + i + "] is not a string");
            tokens[i] = s.isEmpty() ? "[EMPTY_" + i + "]" : s;
        }
        float[] scores = new float[n];
        List<?> scoreList = list(metadata, "tokenizer.ggml.scores");
        if (scoreList != null) {
            if (scoreList.size() < n) throw new IllegalArgumentException("tokenizer.ggml.scores has " + scoreList.size() + " entries for " + n + " tokens");
            for (int i = 0; i < n; i++) scores[i] = ((Number) scoreList.get(i)).floatValue();
        }
        int[] attrs = new int[n];
        Arrays.fill(attrs, ATTR_NORMAL);
        List<?> typeList = list(metadata, "tokenizer.ggml.token_type");
        if (typeList != null) {
            if (typeList.size() < n) throw new IllegalArgumentException("tokenizer.ggml.token_type has " + typeList.size() + " entries for " + n + " tokens");
            for (int i = 0; i < n; i++) {
                attrs[i] = switch (((Number) typeList.get(i)).intValue()) {
                    case TYPE_UNKNOWN -> ATTR_UNKNOWN;
                    case TYPE_UNUSED -> ATTR_UNUSED;
                    case TYPE_NORMAL -> ATTR_NORMAL;
                    case TYPE_CONTROL -> ATTR_CONTROL;
                    case TYPE_USER_DEFINED -> ATTR_USER_DEFINED;
                    case TYPE_BYTE -> ATTR_BYTE;
                    default -> 0; // undefined
                };
            }
        }

        String pre = string(metadata, "tokenizer.ggml.pre", "default");
        Map<String, Integer> ranks = Map.of();
        List<Pattern> patterns = List.of();
        boolean ignoreMerges = false;
        boolean addSpacePrefix;
        boolean addBos;
        boolean addEos = false;
        int bos;
        int eos;
        int unk;
        if (kind == Kind.SPM) {
            bos = 1;
            eos = 2;
            unk = 0;
            addSpacePrefix = true;
            addBos = true;
        } else if (kind == Kind.WPM) { // BERT: [CLS] text [SEP]
            bos = 101;
            eos = -1;
            unk = 100;
            addSpacePrefix = false;
            addBos = true;
        } else {
            List<?> merges = list(metadata, "tokenizer.ggml.merges");
            if (merges == null) throw new IllegalArgumentException("no tokenizer.ggml.merges for a gpt2 tokenizer");
            Map<String, Integer> r = new HashMap<>(merges.size() * 2);
            for (int i = 0; i < merges.size(); i++) {
                String m = String.valueOf(merges.get(i));
                int sp = m.indexOf(' ', 1);
                r.putIfAbsent(sp < 0 ? " " : m.substring(0, sp) + " " + m.substring(sp + 1), i);
            }
            ranks = r;
            PreTokenizer p = PreTokenizer.forName(pre);
            patterns = p.patterns();
            ignoreMerges = p.ignoreMerges();
            addBos = p.addBos();
            bos = 11;
            eos = 11;
            unk = -1;
            addSpacePrefix = false;
        }
        addSpacePrefix = bool(metadata, "tokenizer.ggml.add_space_prefix", addSpacePrefix);
        bos = id(metadata, "tokenizer.ggml.bos_token_id", bos, n);
        eos = id(metadata, "tokenizer.ggml.eos_token_id", eos, n);
        unk = id(metadata, "tokenizer.ggml.unknown_token_id", unk, n);
        int pad = id(metadata, "tokenizer.ggml.padding_token_id", kind == Kind.WPM ? 0 : -1, n);
        int sep = id(metadata, "tokenizer.ggml.seperator_token_id", kind == Kind.WPM ? 102 : -1, n);
        if (kind == Kind.WPM) bos = id(metadata, "tokenizer.ggml.cls_token_id", bos, n);
        boolean lowercase = bool(metadata, "tokenizer.ggml.normalizer.lowercase", true);
        boolean stripAccents = bool(metadata, "tokenizer.ggml.normalizer.strip_accents", lowercase);
        int eot = id(metadata, "tokenizer.ggml.eot_token_id", -1, n);
        int eom = id(metadata, "tokenizer.ggml.eom_token_id", -1, n);
        if (bos >= n) bos = -1;
        if (eos >= n) eos = -1;
        addBos = bool(metadata, "tokenizer.ggml.add_bos_token", addBos);
        addEos = bool(metadata, "tokenizer.ggml.add_eos_token", addEos);
        if (addBos && bos < 0) throw new IllegalArgumentException("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        if (addEos && eos < 0) throw new IllegalArgumentException("tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");

        // end-of-generation tokens, recognised by text as llama.cpp does (they are marked control as well)
        Set<Integer> eog = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            if (EOG_TEXTS.contains(tokens[i])) {
                eog.add(i);
                attrs[i] |= ATTR_CONTROL;
            }
        }
        if (eos >= 0) eog.add(eos);
        if (eot >= 0) eog.add(eot);
        if (eom >= 0) eog.add(eom);

        // llama.cpp's per-model token attributes: Phi-3 strips whitespace right of its special tokens
        String name = string(metadata, "general.name", "").toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int i = 0; i < n; i++) {
                if ((attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) attrs[i] |= ATTR_RSTRIP;
            }
            for (int i = 0; i < n; i++) {
                if (tokens[i].equals("</s>")) attrs[i] |= ATTR_RSTRIP;
                if (tokens[i].equals("<unk>") || tokens[i].equals("<s>") || tokens[i].equals("<|endoftext|>")) attrs[i] &= ~ATTR_RSTRIP;
            }
        }
        return new GgufTokenizer(kind, pre, tokens, scores, attrs, ranks, patterns, ignoreMerges, addSpacePrefix,
                addBos, addEos, bos, eos, unk, pad, eog.stream().mapToInt(Integer::intValue).toArray(), sep,
                lowercase, stripAccents);
    }

    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>");

    // ---- metadata helpers

    private static String string(Map<String, Object> m, String key, String dflt) {
        Object v = m.get(key);
        return v instanceof String s ? s : dflt;
    }

    private static List<?> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) return null;
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException(key + " is not an array");
        return l;
    }

    private static boolean bool(Map<String, Object> m, String key, boolean dflt) {
        Object v = m.get(key);
        if (v instanceof Boolean b) return b;
        if (v instanceof Number num) return num.intValue() != 0;
        return dflt;
    }

    private static int id(Map<String, Object> m, String key, int dflt, int n) {
        Object v = m.get(key);
        if (!(v instanceof Number num)) return dflt >= n ? -1 : dflt;
        long id = num.longValue();
        return id >= 0 && id < n ? (int) id : (dflt >= n ? -1 : dflt); // llama.cpp keeps the default for bad ids
    }

    // ---- encoding

    /** Encodes with special tokens in the text recognised (as llama.cpp does for prompts). */
    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        return encode(text, addSpecialTokens, true);
    }

    /**
     * llama.cpp's {@code llama_tokenize(text, add_special, parse_special)}: with {@code parseSpecial} false, control
     * tokens in the text are tokenized as text (user-defined tokens are always matched whole).
     */
    public int[] encode(String text, boolean addSpecialTokens, boolean parseSpecial) {
        List<Object> fragments = partition(text, parseSpecial); // String (raw text) or Integer (token)
        List<Integer> out = new ArrayList<>();
        if (addSpecialTokens && addBos) out.add(bos);
        if (kind == Kind.SPM) {
            boolean prevSpecial = true;
            for (Object f : fragments) {
                if (f instanceof String raw) {
                    String t = (addSpacePrefix && prevSpecial ? " " : "") + raw;
                    spm(t.replace(" ", "\u2581"), out);
                    prevSpecial = false;
                } else {
                    out.add((Integer) f);
                    prevSpecial = true;
                }
            }
        } else if (kind == Kind.WPM) {
            for (Object f : fragments) {
                if (f instanceof String raw) wpm(raw, out);
                else out.add((Integer) f);
            }
            if (addSpecialTokens && sep >= 0) out.add(sep);
        } else {
            for (Object f : fragments) {
                if (f instanceof String raw) bpe(raw, out);
                else out.add((Integer) f);
            }
        }
        if (addSpecialTokens && addEos) out.add(eos);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code tokenizer_st_partition}: cuts special tokens (longest first) out of the raw text fragments. */
    private List<Object> partition(String text, boolean parseSpecial) {
        List<Object> frags = new ArrayList<>();
        if (text.isEmpty()) return frags;
        frags.add(text);
        for (int id : specialTokens) {
            if (!parseSpecial && (attrs[id] & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0) continue;
            String tok = tokens[id];
            List<Object> next = new ArrayList<>(frags.size() + 4);
            boolean changed = false;
            for (Object f : frags) {
                if (!(f instanceof String raw) || !raw.contains(tok)) {
                    next.add(f);
                    continue;
                }
                changed = true;
                int from = 0;
                while (true) {
                    int match = raw.indexOf(tok, from);
                    if (match < 0) {
                        if (from < raw.length()) next.add(raw.substring(from));
                        break;
                    }
                    int leftEnd = match;
                    if ((attrs[id] & ATTR_LSTRIP) != 0) {
                        while (leftEnd > from && isCSpace(raw.charAt(leftEnd - 1))) leftEnd--;
                    }
                    if (leftEnd > from) next.add(raw.substring(from, leftEnd));
                    next.add(id);
                    from = match + tok.length();
                    if ((attrs[id] & ATTR_RSTRIP) != 0) {
                        while (from < raw.length() && isCSpace(raw.charAt(from))) from++;
                    }
                }
            }
            if (changed) frags = next;
        }
        return frags;
    }

    /** C's isspace() on the byte: llama.cpp strips with it. */
    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** A symbol of the merge loops: a run of text in a doubly linked list. */
    private static final class Symbol {
        int prev;
        int next;
        String text;
        boolean merged; // emptied by a merge into its left neighbour
    }

    /** llm_tokenizer_spm_session.tokenize on whitespace-escaped text. */
    private void spm(String text, List<Integer> out) {
        List<Symbol> symbols = codePointSymbols(text);
        record Bigram(int left, int right, float score, int size) {}
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        java.util.function.BiConsumer<Integer, Integer> tryAdd = (l, r) -> {
            if (l == -1 || r == -1) return;
            String s = symbols.get(l).text + symbols.get(r).text;
            Integer id = ids.get(s);
            if (id == null) return;
            queue.add(new Bigram(l, r, scores[id], s.length()));
        };
        for (int i = 1; i < symbols.size(); i++) tryAdd.accept(i - 1, i);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            Symbol left = symbols.get(b.left);
            Symbol right = symbols.get(b.right);
            if (left.merged || right.merged || left.text.length() + right.text.length() != b.size) continue;
            left.text = left.text + right.text;
            right.merged = true;
            right.text = "";
            left.next = right.next;
            if (right.next >= 0) symbols.get(right.next).prev = b.left;
            tryAdd.accept(left.prev, b.left);
            tryAdd.accept(b.left, left.next);
        }
        for (int i = symbols.isEmpty() ? -1 : 0; i != -1; i = symbols.get(i).next) {
            String s = symbols.get(i).text;
            Integer id = ids.get(s);
            if (id != null) {
                out.add(id);
            } else {
                for (byte by : s.getBytes(StandardCharsets.UTF_8)) out.add(byteToToken(by & 0xFF));
            }
        }
    }

    private List<Symbol> codePointSymbols(String text) {
        List<Symbol> symbols = new ArrayList<>();
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            Symbol s = new Symbol();
            s.text = new String(cps, i, 1);
            s.prev = i - 1;
            s.next = i == cps.length - 1 ? -1 : i + 1;
            symbols.add(s);
        }
        return symbols;
    }

    /** llama_vocab::byte_to_token. */
    private int byteToToken(int b) {
        if (kind == Kind.SPM) {
            Integer id = ids.get(String.format("<0x%02X>", b));
            if (id != null) return id;
            id = ids.get(String.valueOf((char) b));
            if (id != null) return id;
            if (unk >= 0) return unk;
            throw new IllegalStateException("no byte token for 0x" + Integer.toHexString(b));
        }
        Integer id = ids.get(ByteLevel.encode(new byte[] {(byte) b}));
        if (id == null) throw new IllegalStateException("no byte token for 0x" + Integer.toHexString(b));
        return id;
    }

    /** llm_tokenizer_bpe_session.tokenize on one raw fragment. */
    private void bpe(String text, List<Integer> out) {
        for (String piece : PreTokenizer.split(text, preTokenizer)) {
            String word = ByteLevel.encode(piece.getBytes(StandardCharsets.UTF_8));
            if (ignoreMerges && ids.containsKey(word)) {
                out.add(ids.get(word));
                continue;
            }
            List<Symbol> symbols = codePointSymbols(word);
            record Bigram(int left, int right, String text, int rank) {}
            PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank
                    ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
            java.util.function.BiConsumer<Integer, Integer> tryAdd = (l, r) -> {
                if (l == -1 || r == -1) return;
                String lt = symbols.get(l).text;
                String rt = symbols.get(r).text;
                Integer rank = mergeRanks.get(lt + " " + rt);
                if (rank == null) return;
                queue.add(new Bigram(l, r, lt + rt, rank));
            };
            for (int i = 1; i < symbols.size(); i++) tryAdd.accept(i - 1, i);
            while (!queue.isEmpty()) {
                Bigram b = queue.poll();
                Symbol left = symbols.get(b.left);
                Symbol right = symbols.get(b.right);
                if (left.merged || right.merged || !(left.text + right.text).equals(b.text)) continue;
                left.text = b.text;
                right.merged = true;
                right.text = "";
                left.next = right.next;
                if (right.next >= 0) symbols.get(right.next).prev = b.left;
                tryAdd.accept(left.prev, b.left);
                tryAdd.accept(b.left, left.next);
            }
            for (Symbol s : symbols) {
                if (s.merged) continue;
                Integer id = ids.get(s.text);
                if (id != null) {
                    out.add(id);
                } else { // llama.cpp looks each UTF-8 byte of the symbol up as a one-byte token; most are absent
                    for (byte by : s.text.getBytes(StandardCharsets.UTF_8)) {
                        if ((by & 0x80) != 0) continue;
                        Integer bid = ids.get(String.valueOf((char) by));
                        if (bid != null) out.add(bid);
                    }
                }
            }
        }
    }

    /**
     * llm_tokenizer_wpm_session: BERT's basic normalisation (NFD and accent stripping, lower case, punctuation and
     * CJK characters as words of their own), then the longest vocabulary match from the left of {@code ▁word};
     * a word that cannot be covered becomes [UNK].
     */
    private void wpm(String text, List<Integer> out) {
        String src = stripAccents ? java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD) : text;
        List<StringBuilder> words = new ArrayList<>();
        words.add(new StringBuilder());
        for (int i = 0; i < src.length(); ) {
            int cp = src.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (isWhitespace(cp)) {
                if (!words.getLast().isEmpty()) words.add(new StringBuilder());
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || isControlCategory(type)) continue;
            if (stripAccents && (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK)) continue;
            int c = lowercase ? Character.toLowerCase(cp) : cp;
            if (isPunctuationCategory(type) || (cp < 0x7F && isSymbolCategory(type)) || isChineseChar(cp)) {
                if (!words.getLast().isEmpty()) words.add(new StringBuilder());
                words.getLast().appendCodePoint(c);
                words.add(new StringBuilder());
            } else {
                words.getLast().appendCodePoint(c);
            }
        }
        for (StringBuilder w : words) {
            if (w.isEmpty()) continue;
            String word = "\u2581" + w;
            int start = out.size();
            int n = word.length();
            boolean covered = true;
            for (int i = 0; i < n; ) {
                int found = -1;
                for (int j = Math.min(n, i + maxTokenChars); j > i; j--) {
                    Integer id = ids.get(word.substring(i, j));
                    if (id != null) {
                        out.add(id);
                        found = j;
                        break;
                    }
                }
                if (found < 0) {
                    covered = false;
                    break;
                }
                i = found;
            }
            if (!covered) {
                while (out.size() > start) out.removeLast();
            }
            if (out.size() == start) out.add(unk);
        }
    }

    private static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    private static boolean isControlCategory(int type) {
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE;
    }

    private static boolean isPunctuationCategory(int type) {
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isSymbolCategory(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL
                || type == Character.OTHER_SYMBOL;
    }

    private static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    // ---- decoding

    @Override
    public String decode(int[] idsToDecode, boolean skipSpecialTokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean first = true;
        for (int id : idsToDecode) {
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException("token id " + id + " outside vocabulary 0.." + (tokens.length - 1));
            }
            int a = attrs[id];
            if (skipSpecialTokens && (a & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0) continue;
            byte[] piece = piece(id);
            int from = 0;
            // SentencePiece drops the space it prefixed to the text
            if (first && ((kind == Kind.SPM && addSpacePrefix) || kind == Kind.WPM) && piece.length > 0 && piece[0] == ' ') from = 1;
            bytes.write(piece, from, piece.length - from);
            first = false;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * llama_vocab::token_to_piece with special = true. Unlike llama.cpp's detokenize (which keeps the space after a
     * BOS), {@link #decode} drops the prefixed space of the first emitted piece as SentencePiece and transformers do,
     * so {@code decode(encode(s)) == s}; byte-level BPE text is not "cleaned up" (no space removal before
     * punctuation), for the same reason.
     */
    private byte[] piece(int id) {
        int a = attrs[id];
        String text = tokens[id];
        if ((a & (ATTR_CONTROL | ATTR_UNKNOWN | ATTR_USER_DEFINED)) != 0) return text.getBytes(StandardCharsets.UTF_8);
        if ((a & ATTR_BYTE) != 0) {
            if (text.length() == 6 && text.startsWith("<0x")) return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            return ByteLevel.decode(text);
        }
        if (kind != Kind.BPE) return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        return ByteLevel.decode(text);
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public OptionalInt bosTokenId() {
        return bos >= 0 ? OptionalInt.of(bos) : OptionalInt.empty();
    }

    /** Whether {@link #encode} with special tokens prepends BOS ({@code tokenizer.ggml.add_bos_token}). */
    public boolean addsBos() {
        return addBos;
    }

    public OptionalInt eosTokenId() {
        return eos >= 0 ? OptionalInt.of(eos) : OptionalInt.empty();
    }

    public OptionalInt unknownTokenId() {
        return unk >= 0 ? OptionalInt.of(unk) : OptionalInt.empty();
    }

    public OptionalInt paddingTokenId() {
        return pad >= 0 ? OptionalInt.of(pad) : OptionalInt.empty();
    }

    @Override
    public int[] eosTokenIds() {
        return eog.clone();
    }

    @Override
    public String tokenText(int id) {
        return tokens[id];
    }

    /** {@code llama} (SentencePiece), {@code gpt2} (byte-level BPE) or {@code bert} (WordPiece). */
    public String model() {
        return switch (kind) {
            case SPM -> "llama";
            case BPE -> "gpt2";
            case WPM -> "bert";
        };
    }

    /** The pre-tokenizer name ({@code tokenizer.ggml.pre}). */
    public String preTokenizerName() {
        return pre;
    }

    /** GPT-2's reversible byte-to-printable-character mapping (bytes_to_unicode). */
    static final class ByteLevel {
        private static final char[] BYTE_TO_CHAR = new char[256];
        private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

        static {
            int n = 0;
            for (int b = 0; b < 256; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
                CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
            }
        }

        static String encode(byte[] bytes) {
            StringBuilder sb = new StringBuilder(bytes.length);
            for (byte b : bytes) sb.append(BYTE_TO_CHAR[b & 0xFF]);
            return sb.toString();
        }

        /** Characters outside the mapping are kept as their UTF-8 bytes. */
        static byte[] decode(String text) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                Integer b = cp < 0x10000 ? CHAR_TO_BYTE.get((char) cp) : null;
                if (b != null) {
                    out.write(b);
                } else {
                    byte[] raw = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                    out.write(raw, 0, raw.length);
                }
                i += Character.charCount(cp);
            }
            return out.toByteArray();
        }
    }

    /** The pre-tokenizer regexes of llama.cpp's llm_tokenizer_bpe, by {@code tokenizer.ggml.pre} name. */
    record PreTokenizer(List<Pattern> patterns, boolean ignoreMerges, boolean addBos) {

        private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
        private static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        private static final String QWEN35 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

        static PreTokenizer forName(String name) {
            return switch (name) {
                case "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "dbrx", "smaug-bpe" ->
                        of(!"dbrx".equals(name) && !"smaug-bpe".equals(name), !"dbrx".equals(name) && !"smaug-bpe".equals(name), LLAMA3);
                case "deepseek-llm" -> of(false, false,
                        "[\\r\\n]",
                        // llama.cpp spells out the cased-letter ranges (Lu, Ll, Lt) of DeepSeek's regex; that class is \\p{LC}
                        "\\s?\\p{LC}+",
                        "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
                        "\\s+$",
                        "[一-龥ࠀ-一가-퟿]+",
                        "\\p{N}+");
                case "deepseek-coder" -> of(false, false,
                        "[\\r\\n]",
                        "\\s?\\p{L}+",
                        "\\s?\\p{P}+",
                        "[一-龥ࠀ-一가-퟿]+",
                        "\\p{N}");
                case "falcon" -> of(false, false,
                        "[\\p{P}\\$\\+<=>\\^~\\|`]+",
                        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
                        "[0-9][0-9][0-9]");
                case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" ->
                        of(false, false, "\\p{N}", GPT2);
                case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "jina-v1-en",
                        "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4",
                        "a.x-4.0", "mellum", "modern-bert" -> of(false, false, GPT2);
                case "qwen2", "stablelm2", "deepseek-r1-qwen", "hunyuan", "megrez" -> of(false, false, QWEN2);
                case "qwen35" -> of(false, false, QWEN35);
                case "chatglm-bpe", "glm4" -> of(false, false, LLAMA3);
                case "poro-chat", "bloom", "gpt3-finnish" -> of(false, false, " ?[^(\\s|.,!?…。，、।۔،)]+");
                case "default" -> of(false, false,
                        "[\\p{P}\\$\\+<=>\\^~\\|]+",
                        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
                        "\\p{N}+",
                        "[0-9][0-9][0-9]");
                default -> throw new IllegalArgumentException("unsupported pre-tokenizer tokenizer.ggml.pre='" + name + "'");
            };
        }

        private static PreTokenizer of(boolean ignoreMerges, boolean addBos, String... regexes) {
            List<Pattern> ps = new ArrayList<>();
            for (String r : regexes) ps.add(Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS));
            return new PreTokenizer(List.copyOf(ps), ignoreMerges, addBos);
        }

        /**
         * llama.cpp's unicode_regex_split: each regex cuts every current piece into its matches and the text between
         * them (nothing is dropped); a regex sees only its piece, so look-arounds stop at the piece's ends.
         */
        static List<String> split(String text, List<Pattern> patterns) {
            List<String> pieces = new ArrayList<>();
            if (text.isEmpty()) return pieces;
            pieces.add(text);
            for (Pattern p : patterns) {
                List<String> next = new ArrayList<>();
                for (String piece : pieces) {
                    Matcher m = p.matcher(piece);
                    int last = 0;
                    while (m.find()) {
                        if (m.end() == m.start()) continue;
                        if (m.start() > last) next.add(piece.substring(last, m.start()));
                        next.add(piece.substring(m.start(), m.end()));
                        last = m.end();
                    }
                    if (last < piece.length()) next.add(piece.substring(last));
                }
                pieces = next;
            }
            return pieces;
        }
    }
}
