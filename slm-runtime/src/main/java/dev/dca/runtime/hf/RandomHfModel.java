package dev.dca.runtime.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.model.ModelConfig;
import dev.dca.runtime.model.Tensor;
import dev.dca.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a Hugging Face folder with random weights in the shape a {@code config.json} describes (and copies the
 * tokenizer files beside it), so benchmarks run on a real model's shape without its weights: N(0, 0.02) matrices,
 * unit norms, zero biases. Deterministic for a seed.
 */
public final class RandomHfModel {

    private static final List<String> COMPANIONS = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model");

    private RandomHfModel() {}

    /**
     * @param configDir folder with {@code config.json} (and optionally tokenizer files)
     * @param out folder to create; gets {@code model.safetensors} and copies of the companion files
     * @param dtype {@code F32} or {@code BF16} (stored dtype)
     */
    public static Path write(Path configDir, Path out, Tensor.DType dtype, long seed) {
        Path configFile = configDir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new ModelFormatException(configDir, "no config.json here");
        try {
            JsonNode cfg = new ObjectMapper().readTree(configFile.toFile());
            ModelConfig c = HfModelFiles.parseConfig(configFile, cfg, null);
            Files.createDirectories(out);
            for (String f : COMPANIONS) {
                Path src = configDir.resolve(f);
                if (Files.isRegularFile(src)) Files.copy(src, out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            long[] counter = {seed};
            int q = c.numHeads() * c.headDim(), kv = c.numKvHeads() * c.headDim();
            specs.add(random("model.embed_tokens.weight", dtype, counter, c.vocabSize(), c.hiddenSize()));
            for (int l = 0; l < c.numLayers(); l++) {
                String p = "model.layers." + l + ".";
                specs.add(ones(p + "input_layernorm.weight", dtype, c.hiddenSize()));
                specs.add(random(p + "self_attn.q_proj.weight", dtype, counter, q, c.hiddenSize()));
                specs.add(random(p + "self_attn.k_proj.weight", dtype, counter, kv, c.hiddenSize()));
                specs.add(random(p + "self_attn.v_proj.weight", dtype, counter, kv, c.hiddenSize()));
                if (c.attentionBias()) {
                    specs.add(zeros(p + "self_attn.q_proj.bias", dtype, q));
                    specs.add(zeros(p + "self_attn.k_proj.bias", dtype, kv));
                    specs.add(zeros(p + "self_attn.v_proj.bias", dtype, kv));
                }
                if (c.qkNorm()) {
                    specs.add(ones(p + "self_attn.q_norm.weight", dtype, c.headDim()));
                    specs.add(ones(p + "self_attn.k_norm.weight", dtype, c.headDim()));
                }
                specs.add(random(p + "self_attn.o_proj.weight", dtype, counter, c.hiddenSize(), q));
                specs.add(ones(p + "post_attention_layernorm.weight", dtype, c.hiddenSize()));
                specs.add(random(p + "mlp.gate_proj.weight", dtype, counter, c.intermediateSize(), c.hiddenSize()));
                specs.add(random(p + "mlp.up_proj.weight", dtype, counter, c.intermediateSize(), c.hiddenSize()));
                specs.add(random(p + "mlp.down_proj.weight", dtype, counter, c.hiddenSize(), c.intermediateSize()));
            }
            specs.add(ones("model.norm.weight", dtype, c.hiddenSize()));
            if (!c.tiedEmbeddings()) specs.add(random("lm_head.weight", dtype, counter, c.vocabSize(), c.hiddenSize()));
            SafetensorsWriter.write(out.resolve("model.safetensors"), specs);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the random model to " + out + ": " + e.getMessage(), e);
        }
    }

    private static SafetensorsWriter.Spec random(String name, Tensor.DType dtype, long[] counter, long rows, long cols) {
        long seed = counter[0]++;
        return new SafetensorsWriter.Spec(name, dtype, new long[] {rows, cols}, (chunk, start) -> {
            // one generator per chunk, seeded by (tensor, chunk start): any chunking gives the same values
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + start);
            for (int i = 0; i < chunk.length; i++) chunk[i] = (float) (0.02 * nextGaussian(r));
        });
    }

    private static double nextGaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static SafetensorsWriter.Spec ones(String name, Tensor.DType dtype, long n) {
        return new SafetensorsWriter.Spec(name, dtype, new long[] {n}, (chunk, start) -> java.util.Arrays.fill(chunk, 1f));
    }

    private static SafetensorsWriter.Spec zeros(String name, Tensor.DType dtype, long n) {
        return new SafetensorsWriter.Spec(name, dtype, new long[] {n}, (chunk, start) -> java.util.Arrays.fill(chunk, 0f));
    }
}
