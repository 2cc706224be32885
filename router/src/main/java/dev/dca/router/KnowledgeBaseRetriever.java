package dev.dca.router;

import dev.dca.knowledge.Embedder;
import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.SearchHit;
import dev.dca.knowledge.SearchRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Passages from a dca knowledge base: hybrid search ranks them; their relevance is the cosine similarity of
 * query and passage under the knowledge base's own embedder (hybrid scores are rank-fused and say nothing absolute,
 * so they cannot tell "nothing relevant" apart).
 */
public final class KnowledgeBaseRetriever implements Retriever, AutoCloseable {

    private final KnowledgeBase kb;
    private final boolean owned;

    public KnowledgeBaseRetriever(KnowledgeBase kb) {
        this(kb, false);
    }

    private KnowledgeBaseRetriever(KnowledgeBase kb, boolean owned) {
        this.kb = kb;
        this.owned = owned;
    }

    /** Opens an existing knowledge base folder (it must exist: asking never creates one). */
    public static KnowledgeBaseRetriever open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("knowledge base not found: " + dir + " (create it with: dca kb ingest FILES --kb " + dir + ")");
        }
        try {
            return new KnowledgeBaseRetriever(KnowledgeBase.open(dir), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open knowledge base " + dir + ": " + e.getMessage(), e);
        }
    }

    public KnowledgeBase knowledgeBase() {
        return kb;
    }

    public Embedder embedder() {
        return kb.embedder();
    }

    @Override
    public List<Passage> retrieve(String query, int k) {
        List<SearchHit> hits;
        try {
            hits = kb.search(SearchRequest.builder(query).k(k).build());
        } catch (IOException e) {
            throw new UncheckedIOException("knowledge base search failed: " + e.getMessage(), e);
        }
        if (hits.isEmpty()) return List.of();
        List<String> texts = new ArrayList<>(hits.size() + 1);
        texts.add(query);
        for (SearchHit h : hits) texts.add(h.text());
        float[][] v = kb.embedder().embed(texts);
        List<Passage> out = new ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) {
            SearchHit h = hits.get(i);
            double relevance = Math.max(0, Math.min(1, cosine(v[0], v[i + 1])));
            String source = h.source() != null ? h.source() : h.title();
            out.add(new Passage(source == null ? "?" : source, h.location() == null ? "" : h.location().toString(), h.text(),
                    h.score(), relevance));
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    @Override
    public void close() throws IOException {
        if (owned) kb.close();
    }
}
