package dev.dca.router;

import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.policy.Turn;
import dev.dca.runtime.ContextLengthExceededException;
import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.Message;
import dev.dca.runtime.chat.PromptRenderer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The reasoning core's {@link Policy} over the DJL engine: the conversation is rendered with the model's chat
 * template (or the plain fallback, see {@link dev.dca.runtime.chat.PlainChatTemplate}), the assistant's turn is
 * opened, the hidden scratchpad ({@code assistantPrefix}) appended, and the {@code n} samples are drawn in one
 * batched {@link LanguageModel#generate} call, so they fork the prompt's KV cache instead of recomputing it.
 *
 * <p>Requests whose prompt plus {@code maxTokens} would overflow the context are clamped to the room left; a
 * prompt that leaves no room at all raises {@link ContextLengthExceededException}.
 */
public final class EnginePolicy implements Policy {

    private final LanguageModel model;
    private final PromptRenderer renderer;
    private final BooleanSupplier cancelled;
    private volatile TokenCounter counter = (prompt, generated) -> {};

    public EnginePolicy(LanguageModel model) {
        this(model, () -> false);
    }

    /** @param cancelled polled between decode steps; true stops sampling (Ctrl-C, client gone) */
    public EnginePolicy(LanguageModel model, BooleanSupplier cancelled) {
        this.model = model;
        this.renderer = new PromptRenderer(model);
        this.cancelled = cancelled;
    }

    /** Observer of every model call (for a live "thinking" line); called after each {@link #sample}. */
    public interface TokenCounter {
        void onSample(int promptTokens, int generatedTokens);
    }

    public EnginePolicy onSample(TokenCounter c) {
        this.counter = c;
        return this;
    }

    public LanguageModel model() {
        return model;
    }

    @Override
    public List<Continuation> sample(PolicyRequest request) {
        return sampleEach(List.of(request)).get(0);
    }

    /** All requests in one batched engine call: their rows decode together, each forking its own prompt. */
    @Override
    public List<List<Continuation>> sampleEach(List<PolicyRequest> requests) {
        List<GenerationRequest> gens = new ArrayList<>(requests.size());
        List<List<String>> stopsPerRequest = new ArrayList<>(requests.size());
        int promptTotal = 0;
        for (PolicyRequest request : requests) {
            int[] prompt = promptIds(request);
            int room = model.info().contextLength() - prompt.length;
            if (room < 1) throw new ContextLengthExceededException(prompt.length, request.maxTokens(), model.info().contextLength());
            List<String> stops = renderer.withTurnStops(request.stopStrings());
            SamplingParams sampling = model.defaultSampling().toBuilder()
                    .temperature(request.temperature())
                    .topP(request.topP() > 0 && request.topP() <= 1 ? request.topP() : 1)
                    .seed(request.seed())
                    .build();
            gens.add(GenerationRequest.builder(prompt)
                    .n(request.n())
                    .maxTokens(Math.min(request.maxTokens(), room))
                    .sampling(sampling)
                    .stopTokenIds(renderer.stopTokenIds())
                    .stopStrings(stops)
                    .logprobs(request.logprobs())
                    .build());
            stopsPerRequest.add(stops);
            promptTotal += prompt.length;
        }
        GenerationListener listener = new GenerationListener() {
            @Override
            public void onToken(int requestIndex, int sampleIndex, int tokenId, String textDelta) {}

            @Override
            public boolean cancelled() {
                return cancelled.getAsBoolean();
            }
        };
        List<Generation> generations = model.generate(gens, listener);
        // the engine returns every request's samples in request order
        List<List<Continuation>> out = new ArrayList<>(requests.size());
        int next = 0, generated = 0;
        for (int r = 0; r < requests.size(); r++) {
            List<Continuation> mine = new ArrayList<>(requests.get(r).n());
            for (int i = 0; i < requests.get(r).n() && next < generations.size(); i++) {
                Generation g = generations.get(next++);
                generated += g.tokens().length;
                mine.add(new Continuation(g.text(), g.tokens().length, toDoubles(g.logprobs()),
                        stoppedBy(g, stopsPerRequest.get(r)), g.finishReason() == Generation.FinishReason.STOP_TOKEN));
            }
            out.add(mine);
        }
        counter.onSample(promptTotal, generated);
        return out;
    }

    @Override
    public int promptTokens(PolicyRequest request) {
        return promptIds(request).length;
    }

    @Override
    public boolean hasLogprobs() {
        return true;
    }

    /**
     * exp of the summed log-probabilities of {@code option}'s tokens after the prefix. The option's tokens are the
     * tail by which the tokenization of prefix+option extends the prefix's; when tokenization merges across the
     * boundary, the option is tokenized on its own instead.
     */
    @Override
    public double probabilityOfNext(PolicyRequest request, String option) {
        if (option == null || option.isEmpty()) return Double.NaN;
        int[] prefix = promptIds(request);
        int[] joined = renderer.encode(renderer.render(messages(request.conversation()), request.assistantPrefix() + option));
        int[] optionIds;
        if (joined.length > prefix.length && Arrays.equals(prefix, 0, prefix.length, joined, 0, prefix.length)) {
            optionIds = Arrays.copyOfRange(joined, prefix.length, joined.length);
        } else {
            optionIds = model.tokenizer().encode(option, false);
        }
        if (optionIds.length == 0) return Double.NaN;
        int[] all = new int[prefix.length + optionIds.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(optionIds, 0, all, prefix.length, optionIds.length);
        if (all.length > model.info().contextLength()) return Double.NaN;
        float[][] logits = model.logits(all);
        double logp = 0;
        for (int i = 0; i < optionIds.length; i++) {
            logp += logSoftmax(logits[prefix.length - 1 + i], optionIds[i]);
        }
        return Math.exp(logp);
    }

    int[] promptIds(PolicyRequest request) {
        return renderer.tokens(messages(request.conversation()), request.assistantPrefix());
    }

    static List<Message> messages(List<Turn> turns) {
        List<Message> m = new ArrayList<>(turns.size());
        for (Turn t : turns) m.add(new Message(t.role(), t.content()));
        return m;
    }

    /** Which stop string ended a sample: the text is cut right before it, so it follows in the full decoding. */
    private String stoppedBy(Generation g, List<String> stops) {
        if (g.finishReason() != Generation.FinishReason.STOP_STRING || stops.isEmpty()) return null;
        String full = model.tokenizer().decode(g.tokens(), true);
        int at = g.text().length();
        for (String s : stops) if (full.startsWith(s, at)) return s;
        for (String s : stops) if (full.contains(s)) return s;
        return stops.get(0);
    }

    private static double[] toDoubles(float[] f) {
        if (f == null) return null;
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static double logSoftmax(float[] logits, int index) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        return logits[index] - max - Math.log(sum);
    }
}
