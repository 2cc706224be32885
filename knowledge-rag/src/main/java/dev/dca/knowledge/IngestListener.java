package dev.dca.knowledge;

import java.nio.file.Path;

/** Progress callbacks from {@link KnowledgeBase#ingest}; all methods have empty defaults. */
public interface IngestListener {

    IngestListener NONE = new IngestListener() {};

    /** The walk found {@code files} candidate files. */
    default void started(int files) {}

    /** One file is done: {@code outcome} says what happened, {@code chunks} how many chunks it now has. */
    default void fileDone(String source, IngestOutcome outcome, int chunks) {}

    /** A file was skipped (unreadable, encrypted, corrupt, unsupported); the rest of the ingest goes on. */
    default void warning(Path file, String message) {}

    /** Everything up to here is durable. */
    default void committed(int filesSoFar, int chunksSoFar) {}
}
