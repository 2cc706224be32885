package dev.dca.knowledge;

/** One piece of a document, as indexed: its ordinal within the document, text and location. */
public record Chunk(int ordinal, String text, Location location) {}
