package dev.dca.runtime.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a random-weight GGUF ({@code llama} architecture) shaped like a Hugging Face model folder's
 * {@code config.json}, carrying that folder's real tokenizer ({@code tokenizer.json} vocabulary and merges as a
 * {@code gpt2} GGUF tokenizer) and chat template. For benchmarks: the weights are noise, the shapes, tokenizer and
 * file layout are real.
 *
 * <p>Weights are N(0, initializer_range) (norms 1), generated per tensor from a seed and the tensor's name, so the
 * same seed gives the same file whatever the type. Embeddings are tied when the config says so.
 */
public final class RandomGgufModel {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RandomGgufModel() {}

    /**
     * @param folder holds {@code config.json} and {@code tokenizer.json} (optionally {@code tokenizer_config.json})
     * @param type F32, F16, BF16, Q8_0, Q4_0 or Q4_K for the matrices (norms stay F32, as llama.cpp writes them)
     * @param preTokenizer the {@code tokenizer.ggml.pre} name, e.g. {@code smollm}
     */
    public static void write(Path folder, GgmlType type, String preTokenizer, long seed, Path out) {
        write(folder, name -> type, preTokenizer, seed, out);
    }

    /**
     * {@link #write(Path, GgmlType, String, long, Path)} with each matrix's type chosen by its GGUF name (e.g.
     * {@code blk.0.attn_v.weight}), the way llama.cpp's mixed quantizations (Q4_K_M ...) store some matrices in
     * another type.
     */
    public static void write(Path folder, java.util.function.Function<String, GgmlType> typeOf, String preTokenizer, long seed, Path out) {
        JsonNode cfg = read(folder.resolve("config.json"));
        JsonNode tok = read(folder.resolve("tokenizer.json"));
        JsonNode tokCfg = Files.isRegularFile(folder.resolve("tokenizer_config.json"))
                ? read(folder.resolve("tokenizer_config.json")) : JSON.createObjectNode();
        int hidden = cfg.path("hidden_size").asInt();
        int heads = cfg.path("num_attention_heads").asInt();
        int kvHeads = cfg.path("num_key_value_heads").asInt(heads);
        int layers = cfg.path("num_hidden_layers").asInt();
        int ff = cfg.path("intermediate_size").asInt();
        int vocab = cfg.path("vocab_size").asInt();
        int headDim = cfg.path("head_dim").asInt(hidden / Math.max(1, heads));
        float std = (float) cfg.path("initializer_range").asDouble(0.02);
        boolean tied = cfg.path("tie_word_embeddings").asBoolean(false);
        if (hidden <= 0 || heads <= 0 || layers <= 0 || ff <= 0 || vocab <= 0) {
            throw new ModelFormatException(folder.resolve("config.json"), "missing hidden_size, num_attention_heads, num_hidden_layers, intermediate_size or vocab_size");
        }

        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "random " + folder.getFileName())
                .putUInt32("general.alignment", 32)
                .putUInt32("llama.context_length", cfg.path("max_position_embeddings").asInt(2048))
                .putUInt32("llama.embedding_length", hidden)
                .putUInt32("llama.block_count", layers)
                .putUInt32("llama.feed_forward_length", ff)
                .putUInt32("llama.attention.head_count", heads)
                .putUInt32("llama.attention.head_count_kv", kvHeads)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", (float) cfg.path("rms_norm_eps").asDouble(1e-5))
                .putFloat32("llama.rope.freq_base", (float) cfg.path("rope_theta").asDouble(10000))
                .putUInt32("llama.rope.dimension_count", headDim)
                .putUInt32("llama.vocab_size", vocab);
        if (headDim != hidden / heads) w.putUInt32("llama.attention.key_length", headDim).putUInt32("llama.attention.value_length", headDim);
        addTokenizer(w, tok, tokCfg, vocab, preTokenizer, folder);

        long[] kvShape = {(long) kvHeads * headDim, hidden};
        w.addTensor("token_embd.weight", new long[] {vocab, hidden}, typeOf.apply("token_embd.weight"), gaussian(seed, "token_embd.weight", vocab * hidden, std));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.addTensor(p + "attn_norm.weight", new long[] {hidden}, GgmlType.F32, ones(hidden));
            w.addTensor(p + "attn_q.weight", new long[] {(long) heads * headDim, hidden}, typeOf.apply(p + "attn_q.weight"), gaussian(seed, p + "attn_q", heads * headDim * hidden, std));
            w.addTensor(p + "attn_k.weight", kvShape, typeOf.apply(p + "attn_k.weight"), gaussian(seed, p + "attn_k", kvHeads * headDim * hidden, std));
            w.addTensor(p + "attn_v.weight", kvShape, typeOf.apply(p + "attn_v.weight"), gaussian(seed, p + "attn_v", kvHeads * headDim * hidden, std));
            w.addTensor(p + "attn_output.weight", new long[] {hidden, (long) heads * headDim}, typeOf.apply(p + "attn_output.weight"), gaussian(seed, p + "attn_output", heads * headDim * hidden, std));
            w.addTensor(p + "ffn_norm.weight", new long[] {hidden}, GgmlType.F32, ones(hidden));
            w.addTensor(p + "ffn_gate.weight", new long[] {ff, hidden}, typeOf.apply(p + "ffn_gate.weight"), gaussian(seed, p + "ffn_gate", ff * hidden, std));
            w.addTensor(p + "ffn_up.weight", new long[] {ff, hidden}, typeOf.apply(p + "ffn_up.weight"), gaussian(seed, p + "ffn_up", ff * hidden, std));
            w.addTensor(p + "ffn_down.weight", new long[] {hidden, ff}, typeOf.apply(p + "ffn_down.weight"), gaussian(seed, p + "ffn_down", ff * hidden, std));
        }
        w.addTensor("output_norm.weight", new long[] {hidden}, GgmlType.F32, ones(hidden));
        if (!tied) w.addTensor("output.weight", new long[] {vocab, hidden}, typeOf.apply("output.weight"), gaussian(seed, "output.weight", vocab * hidden, std));
        w.write(out);
    }

    /** tokenizer.json (BPE) → {@code tokenizer.ggml.*} the way llama.cpp's converter writes a gpt2 vocabulary. */
    static void addTokenizer(GgufWriter w, JsonNode tok, JsonNode tokCfg, int vocab, String pre, Path folder) {
        JsonNode model = tok.path("model");
        if (!model.path("type").asText().equals("BPE")) {
            throw new ModelFormatException(folder.resolve("tokenizer.json"), "only BPE tokenizers can be written as a gpt2 GGUF vocabulary");
        }
        String[] tokens = new String[vocab];
        int[] types = new int[vocab];
        model.path("vocab").fields().forEachRemaining(e -> {
            int id = e.getValue().asInt();
            if (id >= 0 && id < vocab) {
                tokens[id] = e.getKey();
                types[id] = 1; // normal
            }
        });
        for (JsonNode a : tok.path("added_tokens")) {
            int id = a.path("id").asInt();
            if (id >= 0 && id < vocab) {
                tokens[id] = a.path("content").asText();
                types[id] = a.path("special").asBoolean(false) ? 3 : 4; // control : user-defined
            }
        }
        for (int i = 0; i < vocab; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = 5; // unused
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        w.putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", pre)
                .putStrings("tokenizer.ggml.tokens", Arrays.asList(tokens))
                .putInts("tokenizer.ggml.token_type", types)
                .putStrings("tokenizer.ggml.merges", merges);
        List<String> list = Arrays.asList(tokens);
        putId(w, "tokenizer.ggml.bos_token_id", special(tokCfg, "bos_token"), list);
        putId(w, "tokenizer.ggml.eos_token_id", special(tokCfg, "eos_token"), list);
        putId(w, "tokenizer.ggml.unknown_token_id", special(tokCfg, "unk_token"), list);
        putId(w, "tokenizer.ggml.padding_token_id", special(tokCfg, "pad_token"), list);
        w.putBool("tokenizer.ggml.add_bos_token", tokCfg.path("add_bos_token").asBoolean(false));
        if (tokCfg.path("chat_template").isTextual()) w.putString("tokenizer.chat_template", tokCfg.get("chat_template").asText());
    }

    private static String special(JsonNode cfg, String key) {
        JsonNode v = cfg.path(key);
        return v.isTextual() ? v.asText() : v.path("content").asText(null);
    }

    private static void putId(GgufWriter w, String key, String token, List<String> tokens) {
        int id = token == null ? -1 : tokens.indexOf(token);
        if (id >= 0) w.putUInt32(key, id);
    }

    private static java.util.function.Supplier<float[]> gaussian(long seed, String name, int n, float std) {
        return () -> {
            SplittableRandom r = new SplittableRandom(seed * 31 + name.hashCode());
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * std);
            return v;
        };
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return v;
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read JSON: " + e.getMessage());
        }
    }
}
