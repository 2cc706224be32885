package dev.dca.runtime;

import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.util.List;
import java.util.Optional;

/**
 * A loaded small language model: its tokenizer, chat template and a batched, KV-cached generator.
 *
 * <p>This is the contract the reasoning core (through the router's adapter), the router, the CLI and the HTTP
 * server build on. Implementations are thread-safe: concurrent calls are serialised or batched, and never share
 * KV-cache state between requests.
 */
public interface LanguageModel extends AutoCloseable {

    ModelInfo info();

    Tokenizer tokenizer();

    /** The model's own chat template, if its files carry one (llama2.c checkpoints and base models do not). */
    Optional<ChatTemplate> chatTemplate();

    /** Defaults from {@code generation_config.json} (or the format's equivalent); greedy when there are none. */
    SamplingParams defaultSampling();

    /**
     * Generates continuations for several requests in one batched decode loop. Each request is prefilled once;
     * its {@link GenerationRequest#n()} samples fork that prefix's KV cache instead of recomputing it.
     *
     * @return one {@link Generation} per sample, ordered by request, then by sample index
     * @throws ContextLengthExceededException when a prompt plus its max tokens does not fit the context
     */
    List<Generation> generate(List<GenerationRequest> requests, GenerationListener listener);

    default List<Generation> generate(List<GenerationRequest> requests) {
        return generate(requests, GenerationListener.NONE);
    }

    default Generation generate(GenerationRequest request) {
        return generate(List.of(request), GenerationListener.NONE).get(0);
    }

    /** Logits of every position of {@code tokens} ([tokens.length][vocab]); for scoring and tests. */
    float[][] logits(int[] tokens);

    @Override
    void close();
}
