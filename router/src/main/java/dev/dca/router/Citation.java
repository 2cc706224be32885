package dev.dca.router;

/** A numbered source of a grounded answer: {@code [number]} in the answer text refers to it. */
public record Citation(int number, String source, String location, double score) {}
