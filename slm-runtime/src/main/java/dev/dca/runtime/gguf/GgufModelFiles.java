package dev.dca.runtime.gguf;

import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.chat.JinjaChatTemplate;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.ModelFiles;
import dev.dca.runtime.model.Tensor;
import dev.dca.runtime.tokenizer.GgufTokenizer;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GGUF model ({@code llama}, {@code mistral}, {@code qwen2}, {@code qwen3}) seen through the canonical
 * {@link ModelFiles} view: Hugging Face tensor names and PyTorch-order shapes, q/k rows in the rotate-half layout,
 * quantized tensors dequantized to F32 on request (F32, F16 and BF16 tensors keep their stored dtype).
 *
 * <p>Layout conventions (llama.cpp's {@code convert_hf_to_gguf.py}): GGUF dims are reversed ({@code ne[0]} is the
 * fastest), so {@code [ne1, ne0]} is PyTorch's {@code [out, in]}. For {@code llama}/{@code mistral} the converter
 * permutes q/k rows per head from rotate-half {@code [x0..x(d/2-1), y0..]} to interleaved {@code [x0, y0, x1, y1..]}
 * (llama.cpp's NORM rope); we undo it: {@code hf[i] = gguf[2i]}, {@code hf[i + d/2] = gguf[2i + 1]}.
 * {@code qwen2}/{@code qwen3} use NEOX rope and are stored rotate-half already.
 */
public final class GgufModelFiles implements ModelFiles {

    private static final Set<String> ARCHITECTURES = Set.of("llama", "mistral", "qwen2", "qwen3");
    private static final Set<String> INTERLEAVED_QK = Set.of("llama", "mistral");
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.([a-z_]+)\\.(weight|bias)");
    private static final Map<String, String> BLOCK_NAMES = Map.ofEntries(
            Map.entry("attn_norm", "input_layernorm"),
            Map.entry("attn_q", "self_attn.q_proj"),
            Map.entry("attn_k", "self_attn.k_proj"),
            Map.entry("attn_v", "self_attn.v_proj"),
            Map.entry("attn_output", "self_attn.o_proj"),
            Map.entry("attn_q_norm", "self_attn.q_norm"),
            Map.entry("attn_k_norm", "self_attn.k_norm"),
            Map.entry("ffn_norm", "post_attention_layernorm"),
            Map.entry("ffn_gate", "mlp.gate_proj"),
            Map.entry("ffn_up", "mlp.up_proj"),
            Map.entry("ffn_down", "mlp.down_proj"));
    private static final Map<String, String> GLOBAL_NAMES = Map.of(
            "token_embd.weight", "model.embed_tokens.weight",
            "output_norm.weight", "model.norm.weight",
            "output.weight", "lm_head.weight",
            "rope_freqs.weight", "rope_freqs.weight");

    private final GgufFile gguf;
    private final ModelConfig config;
    /** canonical name → tensor info, in file order */
    private final Map<String, GgufTensorInfo> tensors;
    private Optional<Tokenizer> tokenizer;
    private Optional<ChatTemplate> chatTemplate;

    private GgufModelFiles(GgufFile gguf, ModelConfig config, Map<String, GgufTensorInfo> tensors) {
        this.gguf = gguf;
        this.config = config;
        this.tensors = tensors;
    }

    /** Opens and validates a GGUF model file. */
    public static GgufModelFiles open(Path path) {
        GgufFile gguf = GgufReader.open(path);
        try {
            Map<String, GgufTensorInfo> byCanonical = new LinkedHashMap<>();
            for (GgufTensorInfo t : gguf.tensors().values()) byCanonical.put(canonicalName(t.name()), t);
            GgufModelFiles files = new GgufModelFiles(gguf, parseConfig(gguf, byCanonical), Collections.unmodifiableMap(byCanonical));
            files.checkShapes();
            return files;
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    /** The GGUF file underneath (metadata, raw tensor infos). */
    public GgufFile gguf() {
        return gguf;
    }

    /** llama.cpp tensor name → Hugging Face name; names it does not know pass through unchanged. */
    public static String canonicalName(String ggufName) {
        String global = GLOBAL_NAMES.get(ggufName);
        if (global != null) return global;
        Matcher m = BLOCK.matcher(ggufName);
        if (m.matches() && BLOCK_NAMES.containsKey(m.group(2))) {
            return "model.layers." + m.group(1) + "." + BLOCK_NAMES.get(m.group(2)) + "." + m.group(3);
        }
        return ggufName;
    }

    static ModelConfig parseConfig(GgufFile g, Map<String, GgufTensorInfo> tensors) {
        String arch = g.architecture();
        if (!ARCHITECTURES.contains(arch)) {
            throw g.problem("unsupported architecture '" + GgufReader.shown(arch) + "' (supported: llama, mistral, qwen2, qwen3)");
        }
        String p = arch + ".";
        int hidden = g.getInt(p + "embedding_length");
        int heads = g.getInt(p + "attention.head_count");
        int kvHeads = g.getInt(p + "attention.head_count_kv", heads);
        if (heads <= 0 || hidden <= 0) throw g.problem(p + "attention.head_count and " + p + "embedding_length must be positive");
        int headDim = g.getInt(p + "attention.key_length", hidden / heads);
        int rotaryDim = g.getInt(p + "rope.dimension_count", headDim);
        GgufTensorInfo embed = tensors.get("model.embed_tokens.weight");
        if (embed == null) throw g.problem("tensor token_embd.weight is missing");
        int vocab = embed.ne().length == 2 ? (int) Math.min(Integer.MAX_VALUE, embed.ne()[1]) : -1;
        if (g.has(p + "vocab_size") && g.getInt(p + "vocab_size") != vocab) {
            throw g.problem(p + "vocab_size " + g.getInt(p + "vocab_size") + " disagrees with token_embd.weight " + Arrays.toString(embed.shape()));
        }
        String scalingType = g.findString(p + "rope.scaling.type").orElse("none");
        float factor = g.getFloat(p + "rope.scaling.factor", g.getFloat(p + "rope.scale_linear", 1f));
        if (!scalingType.equals("none") && factor != 1f) {
            throw g.problem("unsupported rope scaling '" + scalingType + "' (factor " + factor
                    + "); supported: none, and llama3-style scaling through rope_freqs.weight");
        }
        try {
            return new ModelConfig(arch, hidden, g.getInt(p + "feed_forward_length"), g.getInt(p + "block_count"), heads, kvHeads,
                    headDim, vocab, g.getInt(p + "context_length", 2048),
                    g.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f), g.getFloat(p + "rope.freq_base", 10000f),
                    rotaryDim, null, tensors.containsKey("model.layers.0.self_attn.q_proj.bias"),
                    tensors.containsKey("model.layers.0.self_attn.q_norm.weight"), !tensors.containsKey("lm_head.weight"));
        } catch (IllegalArgumentException e) {
            throw g.problem(e.getMessage());
        }
    }

    /** Every tensor the decoder needs is present with the shape the metadata implies. */
    private void checkShapes() {
        ModelConfig c = config;
        for (var e : c.tensorShapes().entrySet()) expect(e.getKey(), e.getValue());
        if (tensors.containsKey("rope_freqs.weight")) expect("rope_freqs.weight", c.rotaryDim() / 2);
        if (INTERLEAVED_QK.contains(c.architecture()) && c.headDim() % 2 != 0) {
            throw gguf.problem("head dimension " + c.headDim() + " is odd; cannot undo the interleaved q/k layout");
        }
    }

    private void expect(String name, long... shape) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) throw gguf.problem("tensor for '" + name + "' is missing");
        if (!Arrays.equals(t.shape(), shape)) {
            throw gguf.problem("tensor " + GgufReader.shown(t.name()) + " has shape " + Arrays.toString(t.shape()) + " but the metadata implies "
                    + Arrays.toString(shape));
        }
    }

    @Override public Path path() { return gguf.path(); }
    @Override public String format() { return "gguf"; }
    @Override public ModelConfig config() { return config; }
    @Override public Set<String> tensorNames() { return tensors.keySet(); }

    @Override
    public Map<String, Integer> storedTensorTypes() {
        Map<String, Integer> counts = new TreeMap<>();
        for (GgufTensorInfo t : tensors.values()) counts.merge(t.type().name(), 1, Integer::sum);
        return counts;
    }

    /**
     * The tensor in canonical form. F32/F16/BF16 keep their dtype (memory-mapped, copied only when q/k rows
     * are permuted); quantized types are dequantized to F32.
     */
    @Override
    public Tensor tensor(String canonicalName) {
        GgufTensorInfo info = info(canonicalName);
        GgmlType type = info.type();
        long[] shape = info.shape();
        int groups = permuteGroups(canonicalName);
        ByteBuffer raw = gguf.tensorData(info);
        Tensor.DType dtype;
        ByteBuffer data;
        switch (type) {
            case F32 -> { dtype = Tensor.DType.F32; data = raw; }
            case F16 -> { dtype = Tensor.DType.F16; data = raw; }
            case BF16 -> { dtype = Tensor.DType.BF16; data = raw; }
            default -> {
                if (!type.supported) {
                    throw gguf.problem("tensor " + GgufReader.shown(info.name()) + " has type " + type + ", which cannot be dequantized (supported: "
                            + "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
                }
                long bytes = info.elements() * 4;
                if (bytes > Integer.MAX_VALUE) {
                    throw gguf.problem("tensor " + GgufReader.shown(info.name()) + " needs " + bytes + " bytes as F32; tensors above 2 GiB are not supported");
                }
                dtype = Tensor.DType.F32;
                data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
                GgufDequantizer.dequantize(type, raw, info.elements(), data.asFloatBuffer());
            }
        }
        if (groups > 0) data = unInterleave(info, data, (int) (info.elements() / info.shape()[0]) * dtype.bytes, groups);
        return new Tensor(canonicalName, shape, dtype, data.order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public long[] tensorShape(String canonicalName) {
        return info(canonicalName).shape();
    }

    /** Quantized tensors decode straight into {@code dst} (the engine's tensor memory): no F32 staging copy. */
    @Override
    public void readF32(String canonicalName, FloatBuffer dst) {
        GgufTensorInfo info = info(canonicalName);
        GgmlType type = info.type();
        boolean quantized = type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16;
        if (!quantized || !type.supported || permuteGroups(canonicalName) > 0) {
            tensor(canonicalName).toF32(dst);
            return;
        }
        GgufDequantizer.dequantize(type, gguf.tensorData(info), info.elements(), dst);
    }

    @Override
    public Optional<String> storedType(String canonicalName) {
        GgufTensorInfo info = tensors.get(canonicalName);
        return info == null ? Optional.empty() : Optional.of(info.type().name());
    }

    @Override
    public Optional<ByteBuffer> storedBytes(String canonicalName) {
        GgufTensorInfo info = info(canonicalName);
        ByteBuffer raw = gguf.tensorData(info);
        int groups = permuteGroups(canonicalName);
        int rows = (int) info.shape()[0];
        ByteBuffer data = groups > 0 ? unInterleave(info, raw, raw.remaining() / rows, groups)
                : ByteBuffer.allocateDirect(raw.remaining()).put(raw.duplicate()).flip(); // a copy: the file may close first
        return Optional.of(data.order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Number of heads whose q/k rows must be un-interleaved, or 0 when the tensor is left as stored. */
    private int permuteGroups(String canonicalName) {
        if (!INTERLEAVED_QK.contains(config.architecture())) return 0;
        if (canonicalName.endsWith(".self_attn.q_proj.weight") || canonicalName.endsWith(".self_attn.q_proj.bias")) return config.numHeads();
        if (canonicalName.endsWith(".self_attn.k_proj.weight") || canonicalName.endsWith(".self_attn.k_proj.bias")) return config.numKvHeads();
        return 0;
    }

    /** Rows [h*d + 2i] → [h*d + i] and [h*d + 2i + 1] → [h*d + i + d/2] for each head h (d = rows per head). */
    static ByteBuffer unInterleave(GgufTensorInfo info, ByteBuffer src, int rowBytes, int heads) {
        long[] shape = info.shape();
        int rows = (int) shape[0];
        int d = rows / heads;
        ByteBuffer out = ByteBuffer.allocateDirect(rows * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < d / 2; i++) {
                out.put((h * d + i) * rowBytes, src, (h * d + 2 * i) * rowBytes, rowBytes);
                out.put((h * d + i + d / 2) * rowBytes, src, (h * d + 2 * i + 1) * rowBytes, rowBytes);
            }
        }
        return out;
    }

    private GgufTensorInfo info(String canonicalName) {
        GgufTensorInfo info = tensors.get(canonicalName);
        if (info == null) throw gguf.problem("no tensor '" + GgufReader.shown(canonicalName) + "'");
        return info;
    }

    @Override
    public synchronized Optional<Tokenizer> tokenizer() {
        if (tokenizer == null) tokenizer = loadTokenizer(gguf);
        return tokenizer;
    }

    /** llama.cpp's tokenizer from {@code tokenizer.ggml.*}; its complaints become one-line file errors. */
    static Optional<Tokenizer> loadTokenizer(GgufFile g) {
        if (!g.has("tokenizer.ggml.model")) return Optional.empty();
        try {
            return Optional.of(GgufTokenizer.fromMetadata(g.metadata()));
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw g.problem("cannot build the tokenizer: " + e.getMessage());
        }
    }

    @Override
    public synchronized Optional<ChatTemplate> chatTemplate() {
        if (chatTemplate == null) {
            chatTemplate = gguf.findString("tokenizer.chat_template")
                    .map(t -> JinjaChatTemplate.of(t, tokenText("tokenizer.ggml.bos_token_id"), tokenText("tokenizer.ggml.eos_token_id")));
        }
        return chatTemplate;
    }

    private String tokenText(String idKey) {
        if (!gguf.has(idKey) || !(gguf.metadata().get("tokenizer.ggml.tokens") instanceof List<?> tokens)) return "";
        long id = gguf.getLong(idKey);
        return id >= 0 && id < tokens.size() ? String.valueOf(tokens.get((int) id)) : "";
    }

    /** GGUF files carry no generation config: greedy. */
    @Override
    public SamplingParams generationDefaults() {
        return SamplingParams.GREEDY;
    }

    /** eos, end-of-turn and end-of-message ids from the tokenizer metadata. */
    @Override
    public int[] stopTokenIds() {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String k : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            if (gguf.has(k)) {
                long v = gguf.getLong(k);
                if (v >= 0 && v < config.vocabSize()) ids.add((int) v);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void close() {
        gguf.close();
    }
}
