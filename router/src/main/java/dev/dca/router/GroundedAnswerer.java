package dev.dca.router;

import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.SamplingParams;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Answers a grounded (rag) question so that what is shown comes from the sources: the model's reply is generated
 * with the sampler's copy bias toward the prompt ({@link SamplingParams#copyBias()}), checked by
 * {@link SourceSupport}, and when it is not supported (made up, copied from the wrong passage, or a decline although
 * a source holds the answer) a few more candidates are sampled from the same cached prompt (prefix forking) and the
 * best supported one is shown. With none supported the answer is {@link GroundedPrompt#DONT_KNOW}: the small model is
 * kept from stating facts its sources do not back. The extra candidates are hidden work and count as reasoning tokens.
 */
public final class GroundedAnswerer {

    /**
     * @param copyBias the sampler's logit bonus for continuing a run of the prompt (0: off)
     * @param candidates extra samples drawn when the first reply is not supported (0: check only)
     * @param temperature of the extra samples
     * @param minCoverage {@link SourceSupport#supported} threshold; 0 turns the check off (every reply is shown)
     */
    public record Settings(double copyBias, int candidates, double temperature, double minCoverage) {
        /** Measured on the bundled model with {@code dca train grounded-eval} (docs/BENCHMARKS.md). */
        public static final Settings DEFAULT = new Settings(5, 8, 0.8, 1.0);

        /** The model's reply as it comes: no copy bias, no check. */
        public static final Settings OFF = new Settings(0, 0, 0.8, 0);

        public Settings {
            if (!(copyBias >= 0)) throw new IllegalArgumentException("copy bias must be >= 0, got " + copyBias);
            if (candidates < 0) throw new IllegalArgumentException("candidates must be >= 0, got " + candidates);
            if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
            if (!(minCoverage >= 0 && minCoverage <= 1)) throw new IllegalArgumentException("min coverage must be in [0, 1], got " + minCoverage);
        }

        boolean checks() {
            return minCoverage > 0;
        }

        /** Whether these settings change anything; with {@link #OFF} a rag reply is generated (and streamed) as it comes. */
        public boolean active() {
            return checks() || copyBias > 0;
        }
    }

    /**
     * @param text what to show: a supported reply, or the decline
     * @param shown the generation behind {@code text}, null when the decline replaced every candidate
     * @param hiddenTokens tokens generated for candidates that were not shown
     * @param candidates replies considered (1 when the first was supported)
     * @param support the check of the shown reply (null when the check is off or nothing was supported)
     */
    public record Result(String text, Generation shown, int hiddenTokens, int candidates, SourceSupport support) {}

    private final LanguageModel model;
    private final Settings settings;

    public GroundedAnswerer(LanguageModel model, Settings settings) {
        this.model = Objects.requireNonNull(model, "model");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Settings settings() {
        return settings;
    }

    /**
     * @param request the grounded prompt and how to continue it (its sampling gets the copy bias; n is ignored)
     * @param question the user's question, as rendered in the prompt
     * @param passages the sources, numbered from 1 as rendered
     */
    public Result answer(GenerationRequest request, String question, List<Passage> passages, BooleanSupplier cancelled) {
        SamplingParams sampling = request.sampling().toBuilder().copyBias(settings.copyBias()).build();
        GenerationListener listener = new GenerationListener() {
            @Override public void onToken(int requestIndex, int sampleIndex, int tokenId, String delta) {}
            @Override public boolean cancelled() { return cancelled.getAsBoolean(); }
        };
        Generation first = model.generate(List.of(with(request, sampling, 1, false)), listener).get(0);
        String reply = first.text().strip();
        if (!settings.checks() || first.finishReason() == Generation.FinishReason.CANCELLED) {
            return new Result(reply, first, 0, 1, null);
        }
        SourceSupport.Checker checker = new SourceSupport.Checker(question, passages);
        SourceSupport check = checker.check(reply);
        if (check.supported(settings.minCoverage())) return new Result(reply, first, 0, 1, check);
        int hidden = first.tokens().length, considered = 1;
        Generation best = null;
        SourceSupport bestCheck = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        if (settings.candidates() > 0 && !cancelled.getAsBoolean()) {
            // a greedy request stays reproducible: its candidates are drawn from a fixed seed
            SamplingParams extra = sampling.greedy()
                    ? sampling.withTemperature(settings.temperature()).withSeed(sampling.seed() != null ? sampling.seed() : 0L)
                    : sampling;
            for (Generation g : model.generate(List.of(with(request, extra, settings.candidates(), true)), listener)) {
                hidden += g.tokens().length;
                considered++;
                SourceSupport c = checker.check(g.text().strip());
                if (!c.supported(settings.minCoverage())) continue;
                double score = meanLogprob(g); // among supported replies, the one the model finds likeliest
                if (score > bestScore) {
                    best = g;
                    bestCheck = c;
                    bestScore = score;
                }
            }
        }
        if (best == null) return new Result(GroundedPrompt.DONT_KNOW, null, hidden, considered, null);
        return new Result(best.text().strip(), best, hidden - best.tokens().length, considered, bestCheck);
    }

    private static GenerationRequest with(GenerationRequest r, SamplingParams sampling, int n, boolean logprobs) {
        return GenerationRequest.builder(r.promptTokens()).n(n).maxTokens(r.maxTokens()).sampling(sampling)
                .stopTokenIds(r.stopTokenIds()).stopStrings(r.stopStrings()).logprobs(logprobs || r.logprobs()).build();
    }

    private static double meanLogprob(Generation g) {
        float[] lp = g.logprobs();
        if (lp == null || lp.length == 0) return 0;
        double sum = 0;
        for (float v : lp) sum += v;
        return sum / lp.length;
    }
}
