package dev.dca.knowledge;

/** What ingesting one file did. */
public enum IngestOutcome {
    ADDED,
    UPDATED,
    UNCHANGED,
    SKIPPED
}
