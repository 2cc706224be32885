package dev.dca.reasoning.search;

/**
 * Sampling settings shared by the strategies.
 *
 * @param temperature for sampled chains and candidate steps (diversity)
 * @param greedyTemperature for single chains, critiques and forced answers
 * @param stepMaxTokens most tokens of one scratchpad step
 * @param chainMaxTokens most tokens of one whole chain
 * @param answerMaxTokens most tokens of a forced answer line
 */
public record SearchSettings(double temperature, double greedyTemperature, double topP, int stepMaxTokens,
        int chainMaxTokens, int answerMaxTokens) {

    public static final SearchSettings DEFAULT = new SearchSettings(0.8, 0, 0.95, 96, 512, 32);

    public SearchSettings {
        if (temperature < 0 || greedyTemperature < 0) throw new IllegalArgumentException("temperatures must be >= 0");
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (stepMaxTokens < 1 || chainMaxTokens < 1 || answerMaxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1");
    }

    public SearchSettings withChainMaxTokens(int v) {
        return new SearchSettings(temperature, greedyTemperature, topP, stepMaxTokens, v, answerMaxTokens);
    }

    public SearchSettings withStepMaxTokens(int v) {
        return new SearchSettings(temperature, greedyTemperature, topP, v, chainMaxTokens, answerMaxTokens);
    }

    public SearchSettings withTemperature(double v) {
        return new SearchSettings(v, greedyTemperature, topP, stepMaxTokens, chainMaxTokens, answerMaxTokens);
    }
}
