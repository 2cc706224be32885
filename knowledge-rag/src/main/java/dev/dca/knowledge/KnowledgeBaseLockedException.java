package dev.dca.knowledge;

/** Another process (or another {@link KnowledgeBase} in this one) holds the knowledge base's write lock. */
public final class KnowledgeBaseLockedException extends IllegalStateException {

    public KnowledgeBaseLockedException(String directory, Throwable cause) {
        super("another dca process is writing to KB " + directory
                + "; wait for it to finish (reading and searching still work)", cause);
    }
}
