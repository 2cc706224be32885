package dev.dca.knowledge;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * all-MiniLM-L6-v2 through langchain4j's in-process ONNX model (the model file ships inside the jar). One shared
 * instance per JVM: the ONNX session is thread-safe and loading it twice only costs memory.
 */
final class MiniLmEmbedder implements Embedder {

    private static final int DIMENSION = 384;
    private static volatile MiniLmEmbedder shared;

    private volatile AllMiniLmL6V2EmbeddingModel model;

    private MiniLmEmbedder() {}

    /** Loaded on first use: opening a knowledge base for stats or BM25 search needs no model. */
    private AllMiniLmL6V2EmbeddingModel model() {
        AllMiniLmL6V2EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) model = m = load();
            }
        }
        return m;
    }

    private static AllMiniLmL6V2EmbeddingModel load() {
        // langchain4j spreads one embedAll call over this executor; daemon threads so the CLI can exit.
        ExecutorService executor = Executors.newFixedThreadPool(
                Math.max(1, Runtime.getRuntime().availableProcessors()),
                r -> {
                    Thread t = new Thread(r, "dca-embed");
                    t.setDaemon(true);
                    return t;
                });
        return new AllMiniLmL6V2EmbeddingModel(executor);
    }

    static MiniLmEmbedder shared() {
        MiniLmEmbedder m = shared;
        if (m == null) {
            synchronized (MiniLmEmbedder.class) {
                m = shared;
                if (m == null) shared = m = new MiniLmEmbedder();
            }
        }
        return m;
    }

    @Override
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) return new float[0][];
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) segments.add(TextSegment.from(t.isBlank() ? " " : t));
        List<Embedding> embeddings = model().embedAll(segments).content();
        float[][] out = new float[embeddings.size()][];
        for (int i = 0; i < out.length; i++) out[i] = embeddings.get(i).vector();
        return out;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String name() {
        return "all-minilm-l6-v2";
    }
}
