package dev.dca.foundry.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dca.foundry.curriculum.Curriculum;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Everything a training run depends on. Read from JSON ({@code {"hiddenSize": 256, "mix": {"arithmetic": 0.5}}})
 * or a .properties file ({@code hiddenSize=256}, {@code mix.arithmetic=0.5}); keys left out keep the values of
 * {@link #DEFAULT}, unknown keys are an error.
 *
 * @param vocabSize target BPE vocabulary (special tokens + 256 bytes + merges)
 * @param tokenizerExamples curriculum examples the tokenizer is trained on
 * @param seqLen tokens per training row; also the model's context length
 * @param batchSize rows per step
 * @param minLrRatio the cosine schedule ends at {@code lr * minLrRatio}
 * @param checkpointEvery steps between checkpoints (0: only at the end)
 */
public record TrainConfig(
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int vocabSize,
        int tokenizerExamples,
        int seqLen,
        int batchSize,
        int steps,
        int warmupSteps,
        double lr,
        double minLrRatio,
        double weightDecay,
        double beta1,
        double beta2,
        double gradClip,
        double ropeTheta,
        double rmsNormEps,
        long seed,
        int checkpointEvery,
        Mix mix) {

    /** Curriculum weights (see {@link Curriculum.Mix}). */
    public record Mix(double arithmetic, double grounded, double instruction, double chat) {
        public Curriculum.Mix toCurriculum() {
            return new Curriculum.Mix(arithmetic, grounded, instruction, chat);
        }
    }

    /**
     * The bundled model: about 4.7M parameters (dim 256, 6 layers, 8 heads of 32, 2 KV heads, SwiGLU 688, vocab
     * 2048, tied), context 512 (grounded prompts with several sources need it), 1100 steps of 8 x 512 tokens = 4.5M
     * tokens: about 154 GFLOP per step, sized for about 45 minutes on 2 idle CPU cores (about 1,700 tokens/s).
     */
    public static final TrainConfig DEFAULT = new TrainConfig(256, 688, 6, 8, 2, 2048, 20_000, 512, 8, 1100, 60,
            2e-3, 0.1, 0.1, 0.9, 0.95, 1.0, 10_000, 1e-5, 42, 200,
            new Mix(0.45, 0.30, 0.15, 0.10));

    /** A model small enough to train a few steps in a unit test. */
    public static final TrainConfig TINY = new TrainConfig(64, 128, 2, 4, 2, 512, 600, 256, 4, 12, 2,
            1e-2, 0.1, 0.0, 0.9, 0.95, 1.0, 10_000, 1e-5, 7, 0,
            new Mix(0.45, 0.30, 0.15, 0.10));

    public TrainConfig {
        if (hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0 || seqLen < 8
                || batchSize <= 0 || steps <= 0 || tokenizerExamples <= 0) {
            throw new IllegalArgumentException("sizes, steps and batch must be positive (seqLen >= 8)");
        }
        if (hiddenSize % numHeads != 0) throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not a multiple of numHeads " + numHeads);
        if (numHeads % numKvHeads != 0) throw new IllegalArgumentException("numHeads " + numHeads + " is not a multiple of numKvHeads " + numKvHeads);
        if ((hiddenSize / numHeads) % 2 != 0) throw new IllegalArgumentException("head dimension must be even for RoPE");
        if (warmupSteps < 0 || warmupSteps >= steps) throw new IllegalArgumentException("warmupSteps must be in [0, steps)");
        if (!(lr > 0) || minLrRatio < 0 || minLrRatio > 1) throw new IllegalArgumentException("lr must be > 0 and minLrRatio in [0, 1]");
        if (checkpointEvery < 0) throw new IllegalArgumentException("checkpointEvery must be >= 0");
        if (mix == null) mix = DEFAULT.mix();
        mix.toCurriculum(); // validates
    }

    @JsonIgnore
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Tokens processed per step (rows x sequence length). */
    @JsonIgnore
    public long tokensPerStep() {
        return (long) batchSize * seqLen;
    }

    public TrainConfig withSteps(int s) {
        return new TrainConfig(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, vocabSize, tokenizerExamples, seqLen,
                batchSize, s, Math.min(warmupSteps, s - 1), lr, minLrRatio, weightDecay, beta1, beta2, gradClip, ropeTheta, rmsNormEps,
                seed, checkpointEvery, mix);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads a config file (.json, or .properties by extension); absent keys keep {@link #DEFAULT}'s values. */
    public static TrainConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("config file not found: " + file);
        ObjectNode tree = JSON.valueToTree(DEFAULT);
        JsonNode overrides;
        if (file.getFileName().toString().endsWith(".properties")) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            ObjectNode o = JSON.createObjectNode();
            for (String k : p.stringPropertyNames()) {
                String v = p.getProperty(k).strip();
                if (k.startsWith("mix.")) o.with("mix").put(k.substring(4), v);
                else o.put(k, v);
            }
            overrides = o;
        } else {
            try {
                overrides = JSON.readTree(file.toFile());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("config file " + file + " is not valid JSON: " + e.getOriginalMessage());
            }
            if (overrides == null || !overrides.isObject()) throw new IllegalArgumentException("config file " + file + " must hold a JSON object");
        }
        merge(tree, overrides);
        try {
            return JSON.treeToValue(tree, TrainConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("config file " + file + ": unknown key '" + e.getPropertyName() + "'");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            Throwable cause = e.getCause();
            String msg = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException("config file " + file + ": " + msg);
        }
    }

    private static void merge(ObjectNode into, JsonNode from) {
        from.fields().forEachRemaining(e -> {
            if (e.getValue().isObject() && into.get(e.getKey()) instanceof ObjectNode child) merge(child, e.getValue());
            else into.set(e.getKey(), e.getValue());
        });
    }

    /** Writes this config as JSON (to the output folder, so a run documents itself). */
    public void write(Path file) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), this);
    }
}
