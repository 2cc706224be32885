package dev.dca.reasoning.trace;

/**
 * Two continuations of the same scratchpad prefix, one better than the other: for preference fine-tuning.
 *
 * @param prefix the shared scratchpad before them
 * @param reason {@code "gold"} when decided by the gold answer, {@code "value"} when by search value
 */
public record PreferencePair(String question, String prefix, String chosen, String rejected, double margin, String reason) {}
