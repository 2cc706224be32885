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
                    + "--dtype f32, f16, bf16, q8_0, q4_0 or q4_k (rows must be whole 256-value blocks); --out a file or folder). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--gguf-pre", defaultValue = "smollm", paramLabel = "NAME",
            description = "tokenizer.ggml.pre written to a gguf (llama.cpp's pre-tokenizer name). Default: ${DEFAULT-VALUE}.")
    String ggufPre;

    @Override
    public Integer call() throws java.io.IOException {
        if (format.equalsIgnoreCase("gguf")) {
            dev.dca.runtime.gguf.GgmlType type = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
                case "f32" -> dev.dca.runtime.gguf.GgmlType.F32;
                case "f16" -> dev.dca.runtime.gguf.GgmlType.F16;
                case "bf16" -> dev.dca.runtime.gguf.GgmlType.BF16;
                case "q8_0" -> dev.dca.runtime.gguf.GgmlType.Q8_0;
                case "q4_0" -> dev.dca.runtime.gguf.GgmlType.Q4_0;
                case "q4_k" -> dev.dca.runtime.gguf.GgmlType.Q4_K;
                default -> throw new IllegalArgumentException("--dtype for gguf must be f32, f16, bf16, q8_0, q4_0 or q4_k, got " + dtype);
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

    static Tensor.DType parseDtype(String d) {
        return switch (d.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> Tensor.DType.F32;
            case "bf16" -> Tensor.DType.BF16;
            case "f16" -> Tensor.DType.F16;
            default -> throw new IllegalArgumentException("--dtype must be f32, bf16 or f16, got " + d);
        };
    }
}
