package dev.dca.knowledge;

import java.util.List;

/**
 * Turns texts into unit-length vectors. The knowledge base embeds chunks and queries with it; the HTTP server's
 * {@code /v1/embeddings} can use the same instance ({@link KnowledgeBase#embedder()}).
 */
public interface Embedder {

    /** One vector of {@link #dimension()} floats per text, in order. */
    float[][] embed(List<String> texts);

    /** Convenience for a single text (a query). */
    default float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    int dimension();

    /** Identifies the model; stored in the index so a knowledge base is never searched with another model. */
    String name();

    /** The bundled all-MiniLM-L6-v2 (ONNX, in-process, no network). Loading takes a second or two. */
    static Embedder allMiniLmL6V2() {
        return MiniLmEmbedder.shared();
    }
}
