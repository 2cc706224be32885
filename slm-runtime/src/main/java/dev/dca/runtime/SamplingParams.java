package dev.dca.runtime;

/**
 * How the next token is chosen. {@code temperature == 0} is greedy (argmax); otherwise the filters apply in the
 * order repetition penalty, temperature, top-k, top-p, min-p. A fixed {@code seed} makes sampling reproducible.
 *
 * @param topK 0 disables
 * @param topP 1 disables
 * @param minP 0 disables
 * @param repetitionPenalty 1 disables (CTRL-style: positive logits divided, negative multiplied)
 * @param seed null picks a random seed
 */
public record SamplingParams(
        double temperature, int topK, double topP, double minP, double repetitionPenalty, Long seed) {

    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 0, 1, null);

    public SamplingParams {
        if (temperature < 0 || Double.isNaN(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP < 1)) throw new IllegalArgumentException("min_p must be in [0, 1), got " + minP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public SamplingParams withSeed(Long newSeed) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, newSeed);
    }

    public SamplingParams withTemperature(double t) {
        return new SamplingParams(t, topK, topP, minP, repetitionPenalty, seed);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, topK, p, minP, repetitionPenalty, seed);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).seed(seed);
    }

    public static final class Builder {
        private double temperature = 0;
        private int topK = 0;
        private double topP = 1;
        private double minP = 0;
        private double repetitionPenalty = 1;
        private Long seed;

        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder minP(double v) { minP = v; return this; }
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, seed);
        }
    }
}
