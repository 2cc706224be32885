package dev.dca.runtime;

/**
 * How the next token is chosen. {@code temperature == 0} is greedy (argmax); otherwise the filters apply in the
 * order copy bias, repetition penalty, temperature, top-k, top-p, min-p. A fixed {@code seed} makes sampling
 * reproducible.
 *
 * @param topK 0 disables
 * @param topP 1 disables
 * @param minP 0 disables
 * @param repetitionPenalty 1 disables (CTRL-style: positive logits divided, negative multiplied)
 * @param seed null picks a random seed
 * @param copyBias 0 disables. A logit bonus for the token that continues, somewhere in the prompt, the longest run
 *     (at least {@link #COPY_MIN_RUN} tokens) of the latest generated tokens: what an induction head does, done by
 *     the sampler. It makes a small model that has learned the form of a grounded answer ("Aiko Brika plays the") finish it with the value
 *     its sources state ("cello") rather than one it remembers ("banjo"). The bonus goes only to tokens the model
 *     does not rule out (logit within {@link #COPY_WINDOW} of its best): it picks among what the model would say,
 *     it does not make the model recite its prompt.
 */
public record SamplingParams(
        double temperature, int topK, double topP, double minP, double repetitionPenalty, Long seed, double copyBias) {

    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 0, 1, null, 0);

    /** How far (in logits) below the model's best token a continuation of the prompt may be and still get the bias. */
    public static final double COPY_WINDOW = 8;

    /**
     * Shortest run of generated tokens that must also occur in the prompt before the copy bias applies. One token
     * (measured against two with {@code dca train grounded-eval}: 35 against 18 of 87 answers right with their source):
     * a name's later pieces then follow its first ("Jade" -> " Thaka"), and the longest run still decides where the
     * prompt says more than one thing.
     */
    public static final int COPY_MIN_RUN = 1;

    public SamplingParams(double temperature, int topK, double topP, double minP, double repetitionPenalty, Long seed) {
        this(temperature, topK, topP, minP, repetitionPenalty, seed, 0);
    }

    public SamplingParams {
        if (temperature < 0 || Double.isNaN(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP < 1)) throw new IllegalArgumentException("min_p must be in [0, 1), got " + minP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
        if (!(copyBias >= 0 && copyBias < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("copy_bias must be >= 0 and finite, got " + copyBias);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public SamplingParams withSeed(Long newSeed) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, newSeed, copyBias);
    }

    public SamplingParams withTemperature(double t) {
        return new SamplingParams(t, topK, topP, minP, repetitionPenalty, seed, copyBias);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, topK, p, minP, repetitionPenalty, seed, copyBias);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).seed(seed).copyBias(copyBias);
    }

    public static final class Builder {
        private double temperature = 0;
        private int topK = 0;
        private double topP = 1;
        private double minP = 0;
        private double repetitionPenalty = 1;
        private Long seed;
        private double copyBias = 0;

        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder minP(double v) { minP = v; return this; }
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder copyBias(double v) { copyBias = v; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, seed, copyBias);
        }
    }
}
