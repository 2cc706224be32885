package dev.dca.cli;

import dev.dca.runtime.hf.RandomHfModel;
import dev.dca.runtime.model.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dca model random}: a random-weight model of a real model's shape, for benchmarks. */
@Command(name = "random", mixinStandardHelpOptions = true,
        description = "Write a Hugging Face folder with random weights shaped by a config.json (tokenizer files are copied).")
final class ModelRandomCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "DIR", description = "Folder with config.json (and tokenizer files).")
    Path config;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write (e.g. under /tmp; weights can be large).")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "T", description = "f32 or bf16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--format", defaultValue = "hf", paramLabel = "F",
            description = "hf (a folder) or gguf (one .gguf file, llama architecture, the folder's tokenizer.json as a gpt2 vocabulary; "
                    + "--dtype f32, f16, bf16, q8_0, q4_0, iq4_nl, q4_k, q5_k, q6_k (K types: rows must be whole 256-value blocks), q4_k_m or "
                    + "q5_k_m (llama.cpp's mixes: Q6_K for the output and some attn_v / ffn_down, Q4_K or Q5_K elsewhere; rows that are "
                    + "not whole 256-value blocks in Q5_0, Q5_1 or Q8_0 instead, as llama.cpp does); --out a file or folder). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--gguf-pre", defaultValue = "smollm", paramLabel = "NAME",
            description = "tokenizer.ggml.pre written to a gguf (llama.cpp's pre-tokenizer name). Default: ${DEFAULT-VALUE}.")
    String ggufPre;

    @Override
    public Integer call() throws java.io.IOException {
        if (format.equalsIgnoreCase("gguf")) {
            if (dtype.equalsIgnoreCase("q4_k_m") || dtype.equalsIgnoreCase("q5_k_m")) {
                dev.dca.runtime.gguf.GgmlType base = dtype.equalsIgnoreCase("q4_k_m") ? dev.dca.runtime.gguf.GgmlType.Q4_K : dev.dca.runtime.gguf.GgmlType.Q5_K;
                Path file = java.nio.file.Files.isDirectory(out) ? out.resolve("model-" + dtype.toUpperCase(java.util.Locale.ROOT) + ".gguf") : out;
                com.fasterxml.jackson.databind.JsonNode cfg = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                        .readTree(config.resolve("config.json").toFile());
                int layers = cfg.path("num_hidden_layers").asInt(), hidden = cfg.path("hidden_size").asInt(), ff = cfg.path("intermediate_size").asInt();
                int heads = cfg.path("num_attention_heads").asInt(1), attnWidth = heads * cfg.path("head_dim").asInt(hidden / Math.max(1, heads));
                boolean tied = cfg.path("tie_word_embeddings").asBoolean(false);
                dev.dca.runtime.gguf.RandomGgufModel.write(config, name -> {
                    int rowLength = name.endsWith("ffn_down.weight") ? ff : name.endsWith("attn_output.weight") ? attnWidth : hidden;
                    return fallback(kMix(name, layers, tied, base), rowLength);
                }, ggufPre, seed, file);
                System.out.println(file);
                return 0;
            }
            dev.dca.runtime.gguf.GgmlType type = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
                case "f32" -> dev.dca.runtime.gguf.GgmlType.F32;
                case "f16" -> dev.dca.runtime.gguf.GgmlType.F16;
                case "bf16" -> dev.dca.runtime.gguf.GgmlType.BF16;
                case "q8_0" -> dev.dca.runtime.gguf.GgmlType.Q8_0;
                case "q4_0" -> dev.dca.runtime.gguf.GgmlType.Q4_0;
                case "q4_k" -> dev.dca.runtime.gguf.GgmlType.Q4_K;
                case "q5_k" -> dev.dca.runtime.gguf.GgmlType.Q5_K;
                case "q6_k" -> dev.dca.runtime.gguf.GgmlType.Q6_K;
                case "iq4_nl" -> dev.dca.runtime.gguf.GgmlType.IQ4_NL;
                default -> throw new IllegalArgumentException("--dtype for gguf must be f32, f16, bf16, q8_0, q4_0, q4_k, q5_k, q6_k, iq4_nl, q4_k_m or q5_k_m, got " + dtype);
            };
            Path file = java.nio.file.Files.isDirectory(out) ? out.resolve("model-" + type + ".gguf") : out;
            dev.dca.runtime.gguf.RandomGgufModel.write(config, type, ggufPre, seed, file);
            System.out.println(file);
            return 0;
        }
        if (!format.equalsIgnoreCase("hf")) throw new IllegalArgumentException("--format must be hf or gguf, got " + format);
        Path written = RandomHfModel.write(config, out, parseDtype(dtype), seed);
        System.out.println(written);
        return 0;
    }

    /**
     * llama.cpp's Q4_K_M / Q5_K_M choice per tensor ({@code llama_tensor_get_type}): Q6_K for the output (the
     * embedding when {@code tied}) and for attn_v and ffn_down in the first and last eighth of the layers and every
     * third layer between, {@code base} (Q4_K or Q5_K) for the other matrices.
     */
    static dev.dca.runtime.gguf.GgmlType kMix(String name, int layers, boolean tied, dev.dca.runtime.gguf.GgmlType base) {
        if (name.equals("output.weight") || (tied && name.equals("token_embd.weight"))) return dev.dca.runtime.gguf.GgmlType.Q6_K;
        if (name.endsWith("attn_v.weight") || name.endsWith("ffn_down.weight")) {
            int layer = Integer.parseInt(name.split("\\.")[1]);
            boolean moreBits = layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
            if (moreBits) return dev.dca.runtime.gguf.GgmlType.Q6_K;
        }
        return base;
    }

    /**
     * llama.cpp's replacement for a K type whose rows are not whole 256-value blocks (SmolLM2's 576, Qwen2.5-0.5B's
     * 896): Q4_K becomes Q5_0, Q5_K Q5_1, Q6_K Q8_0.
     */
    static dev.dca.runtime.gguf.GgmlType fallback(dev.dca.runtime.gguf.GgmlType type, int rowLength) {
        if (rowLength % 256 == 0) return type;
        return switch (type) {
            case Q4_K -> dev.dca.runtime.gguf.GgmlType.Q5_0;
            case Q5_K -> dev.dca.runtime.gguf.GgmlType.Q5_1;
            case Q6_K -> dev.dca.runtime.gguf.GgmlType.Q8_0;
            default -> type;
        };
    }

    static Tensor.DType parseDtype(String d) {
        return switch (d.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> Tensor.DType.F32;
            case "bf16" -> Tensor.DType.BF16;
            case "f16" -> Tensor.DType.F16;
            default -> throw new IllegalArgumentException("--dtype must be f32, bf16 or f16, got " + d);
        };
    }
}
