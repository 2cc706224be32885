package dev.dca.cli;

import dev.dca.runtime.LoadOptions;
import picocli.CommandLine.Option;

/** The shared {@code --compute} and {@code --kv-cache} options: how a loaded model holds its weights and its KV cache. */
final class HoldOptions {

    @Option(names = "--compute", defaultValue = "auto", paramLabel = "T",
            description = "Weights in memory: auto (BF16 files stay BF16, GGUF matrices keep their own types), f32 (everything dequantized; Java kernels on AVX2 and AVX-512 CPUs, else PyTorch for prefill) or bf16 (Java kernels, CPU). Default: ${DEFAULT-VALUE}.")
    String compute;

    @Option(names = "--kv-cache", defaultValue = "f32", paramLabel = "T",
            description = "Keys and values in the KV cache: f32 (exact) or bf16 (half the memory, each value rounded to 8 significant bits; for weights held for the Java kernels). Default: ${DEFAULT-VALUE}.")
    String kvCache;

    LoadOptions apply(LoadOptions options) {
        return options.withDtype(compute).withKvCache(kvCache);
    }
}
