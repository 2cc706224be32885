package dev.dca.runtime.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.chat.JinjaChatTemplate;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.ModelFiles;
import dev.dca.runtime.model.Tensor;
import dev.dca.runtime.safetensors.SafetensorsReader;
import dev.dca.runtime.tokenizer.HfTokenizer;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Hugging Face model folder: {@code config.json}, safetensors weights (single or sharded), optional
 * {@code generation_config.json}, {@code tokenizer.json} and the chat template of {@code tokenizer_config.json}.
 * Tensor names are already the canonical ones; q/k rows are already in the rotate-half layout.
 */
public final class HfModelFiles implements ModelFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SUPPORTED = Set.of("llama", "mistral", "qwen2", "qwen3");

    private final Path folder;
    private final ModelConfig config;
    private final SafetensorsReader weights;
    private final SamplingParams generationDefaults;
    private final int[] stopTokenIds;
    private Optional<Tokenizer> tokenizer;
    private Optional<ChatTemplate> chatTemplate;

    private HfModelFiles(Path folder, ModelConfig config, SafetensorsReader weights, SamplingParams defaults, int[] stops) {
        this.folder = folder;
        this.config = config;
        this.weights = weights;
        this.generationDefaults = defaults;
        this.stopTokenIds = stops;
    }

    public static HfModelFiles open(Path folder) {
        Path configFile = folder.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new ModelFormatException(folder, "no config.json: not a Hugging Face model folder");
        JsonNode cfg = readJson(configFile);
        JsonNode gen = Files.isRegularFile(folder.resolve("generation_config.json"))
                ? readJson(folder.resolve("generation_config.json")) : JSON.createObjectNode();
        SafetensorsReader weights = SafetensorsReader.open(folder);
        try {
            ModelConfig config = parseConfig(configFile, cfg, weights);
            Set<Integer> stops = new LinkedHashSet<>();
            addIds(stops, cfg.get("eos_token_id"));
            addIds(stops, gen.get("eos_token_id"));
            HfModelFiles files = new HfModelFiles(folder, config, weights, parseGenerationConfig(gen),
                    stops.stream().mapToInt(Integer::intValue).toArray());
            files.checkShapes();
            return files;
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Reads config.json into a {@link ModelConfig}; an unknown model_type is a clear error. */
    static ModelConfig parseConfig(Path file, JsonNode c, SafetensorsReader weights) {
        String type = c.path("model_type").asText("");
        if (!SUPPORTED.contains(type)) {
            throw new ModelFormatException(file, "unsupported model_type '" + type + "' (supported: llama, mistral, qwen2, qwen3)");
        }
        int hidden = req(file, c, "hidden_size");
        int heads = req(file, c, "num_attention_heads");
        int kvHeads = c.path("num_key_value_heads").isNumber() ? c.get("num_key_value_heads").asInt() : heads;
        int headDim = c.path("head_dim").isNumber() ? c.get("head_dim").asInt() : hidden / heads;
        double partial = c.path("partial_rotary_factor").asDouble(1.0);
        int rotaryDim = (int) (headDim * partial);
        ModelConfig.RopeScaling scaling = null;
        JsonNode rs = c.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            String rt = rs.path("rope_type").asText(rs.path("type").asText(""));
            if (rt.equals("llama3")) {
                scaling = new ModelConfig.RopeScaling((float) rs.path("factor").asDouble(8), (float) rs.path("low_freq_factor").asDouble(1),
                        (float) rs.path("high_freq_factor").asDouble(4), rs.path("original_max_position_embeddings").asInt(8192));
            } else if (!rt.equals("default")) {
                throw new ModelFormatException(file, "unsupported rope_scaling type '" + rt + "' (supported: llama3)");
            }
        }
        // weights == null: describing a model to write (RandomHfModel), the config alone decides
        boolean tied = c.path("tie_word_embeddings").asBoolean(false) || (weights != null && !weights.contains("lm_head.weight"));
        boolean bias = c.path("attention_bias").asBoolean(false) || type.equals("qwen2");
        try {
            return new ModelConfig(type, hidden, req(file, c, "intermediate_size"), req(file, c, "num_hidden_layers"), heads, kvHeads,
                    headDim, req(file, c, "vocab_size"), c.path("max_position_embeddings").asInt(2048),
                    (float) c.path("rms_norm_eps").asDouble(1e-6), (float) c.path("rope_theta").asDouble(10000),
                    rotaryDim, scaling, bias, type.equals("qwen3"), tied);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }

    /** generation_config.json: greedy unless do_sample; Hugging Face's defaults for what is absent. */
    static SamplingParams parseGenerationConfig(JsonNode g) {
        if (!g.path("do_sample").asBoolean(false)) {
            return SamplingParams.GREEDY.toBuilder().repetitionPenalty(g.path("repetition_penalty").asDouble(1)).build();
        }
        return SamplingParams.builder()
                .temperature(g.path("temperature").asDouble(1.0))
                .topK(g.path("top_k").asInt(50))
                .topP(g.path("top_p").asDouble(1.0))
                .minP(g.path("min_p").asDouble(0))
                .repetitionPenalty(g.path("repetition_penalty").asDouble(1.0))
                .build();
    }

    /** Every tensor the decoder needs is present with the shape the config implies. */
    private void checkShapes() {
        ModelConfig c = config;
        for (var e : c.tensorShapes().entrySet()) expect(e.getKey(), e.getValue());
    }

    private void expect(String name, long... shape) {
        if (!weights.contains(name)) throw new ModelFormatException(weights.path(), "tensor '" + name + "' is missing");
        long[] actual = weights.shape(name);
        if (!java.util.Arrays.equals(actual, shape)) {
            throw new ModelFormatException(weights.path(), "tensor '" + name + "' has shape " + java.util.Arrays.toString(actual)
                    + " but config.json implies " + java.util.Arrays.toString(shape));
        }
    }

    private static int req(Path file, JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || !v.isNumber() || v.asInt() <= 0) throw new ModelFormatException(file, "missing or invalid \"" + key + "\"");
        return v.asInt();
    }

    private static void addIds(Set<Integer> out, JsonNode v) {
        if (v == null) return;
        if (v.isInt()) out.add(v.asInt());
        else if (v.isArray()) for (JsonNode x : v) if (x.isInt()) out.add(x.asInt());
    }

    private static JsonNode readJson(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) throw new ModelFormatException(file, "not a JSON object");
            return n;
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            throw new ModelFormatException(file, "not valid JSON (" + (m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m) + ")");
        }
    }

    @Override public Path path() { return folder; }
    @Override public String format() { return "safetensors"; }
    @Override public ModelConfig config() { return config; }
    @Override public Set<String> tensorNames() { return weights.names(); }
    @Override public Tensor tensor(String canonicalName) { return weights.tensor(canonicalName); }
    @Override public Map<String, Integer> storedTensorTypes() { return weights.dtypeCounts(); }
    @Override public SamplingParams generationDefaults() { return generationDefaults; }
    @Override public int[] stopTokenIds() { return stopTokenIds.clone(); }

    @Override
    public synchronized Optional<Tokenizer> tokenizer() {
        if (tokenizer == null) tokenizer = HfTokenizer.load(folder);
        return tokenizer;
    }

    @Override
    public synchronized Optional<ChatTemplate> chatTemplate() {
        if (chatTemplate == null) chatTemplate = JinjaChatTemplate.fromFolder(folder);
        return chatTemplate;
    }

    @Override
    public void close() {
        weights.close();
    }
}
