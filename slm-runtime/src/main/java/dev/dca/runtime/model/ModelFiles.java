package dev.dca.runtime.model;

import java.nio.FloatBuffer;

import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a format loader (Hugging Face folder, GGUF, llama2.c) reads from disk, before any math: hyper-parameters,
 * weights under canonical names, tokenizer, chat template and generation defaults.
 *
 * <p>Canonical tensor names are Hugging Face's ({@code model.embed_tokens.weight},
 * {@code model.layers.N.self_attn.q_proj.weight}, {@code ...k_proj.bias}, {@code ...q_norm.weight},
 * {@code ...mlp.gate_proj.weight}, {@code model.norm.weight}, {@code lm_head.weight} unless tied), plus
 * {@code rope_freqs.weight} when a file carries per-frequency RoPE divisors (llama.cpp's llama3 form). q/k rows
 * are always in Hugging Face's rotate-half layout: loaders of interleaved files (llama2.c, GGUF llama) permute
 * them on load.
 */
public interface ModelFiles extends AutoCloseable {

    Path path();

    /** {@code safetensors}, {@code gguf} or {@code llama2c}. */
    String format();

    ModelConfig config();

    Set<String> tensorNames();

    /** @throws dev.dca.runtime.ModelFormatException when absent or unreadable */
    Tensor tensor(String canonicalName);

    /** The tensor's shape, without reading (or dequantizing) its data. */
    default long[] tensorShape(String canonicalName) {
        return tensor(canonicalName).shape();
    }

    /**
     * The tensor's values as F32 written straight into {@code dst} (from its position; native order), so the
     * engine can fill device memory without staging copies. Quantized formats decode into it directly.
     */
    default void readF32(String canonicalName, FloatBuffer dst) {
        tensor(canonicalName).toF32(dst);
    }

    /**
     * The ggml type name a GGUF file stores the tensor in (e.g. {@code Q4_K}), read from its header; empty for
     * formats whose bytes {@link #storedBytes} does not hand out, or an unknown tensor.
     */
    default Optional<String> storedType(String canonicalName) {
        return Optional.empty();
    }

    /**
     * The tensor's bytes as stored, in {@link #storedType}'s layout (a private copy, rows in canonical order: q/k
     * un-interleaved like {@link #tensor}); empty where {@link #storedType} is. Lets the engine keep quantized
     * weights quantized.
     */
    default Optional<java.nio.ByteBuffer> storedBytes(String canonicalName) {
        return Optional.empty();
    }

    /** Count of tensors per stored type, as in the file (e.g. {@code F32 -> 5, Q4_K -> 14}). */
    Map<String, Integer> storedTensorTypes();

    /** Empty when the model comes without one (e.g. a weights-only Hugging Face folder). */
    Optional<Tokenizer> tokenizer();

    Optional<ChatTemplate> chatTemplate();

    SamplingParams generationDefaults();

    /**
     * End-of-sequence ids the model files declare besides the tokenizer's (e.g. {@code eos_token_id} lists in
     * {@code config.json}/{@code generation_config.json}); generation stops on them. Empty by default.
     */
    default int[] stopTokenIds() {
        return new int[0];
    }

    @Override
    void close();
}
