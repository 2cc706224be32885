package dev.dca.reasoning;

/**
 * Token usage of one solve.
 *
 * @param promptTokens prompt tokens over all model calls (each call's rendered prompt, prefixes included)
 * @param completionTokens all generated tokens
 * @param reasoningTokens generated tokens of the hidden reasoning (all of them except a {@code direct} answer)
 */
public record Usage(int promptTokens, int completionTokens, int reasoningTokens) {}
