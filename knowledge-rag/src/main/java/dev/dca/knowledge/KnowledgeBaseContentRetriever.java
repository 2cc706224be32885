package dev.dca.knowledge;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A langchain4j {@link ContentRetriever} over a knowledge base: each query runs as {@code template} with the query's
 * text (mode, k, filters, fusion kept). Contents carry the hit's metadata ({@code path}, {@code title}, {@code type},
 * {@code page}, {@code section}, {@code start}, {@code end}, {@code citation}) and {@link ContentMetadata#SCORE}.
 */
public final class KnowledgeBaseContentRetriever implements ContentRetriever {

    private final KnowledgeBase kb;
    private final SearchRequest template;

    KnowledgeBaseContentRetriever(KnowledgeBase kb, SearchRequest template) {
        this.kb = kb;
        this.template = template;
    }

    @Override
    public List<Content> retrieve(Query query) {
        if (query == null || query.text() == null || query.text().isBlank()) return List.of();
        SearchRequest request = template.withQuery(query.text());
        List<SearchHit> hits;
        try {
            hits = kb.search(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Content> out = new ArrayList<>(hits.size());
        for (SearchHit h : hits) {
            Metadata m = new Metadata().put("path", h.source()).put("title", h.title()).put("type", h.fileType())
                    .put("start", h.location().start()).put("end", h.location().end()).put("citation", h.citation());
            if (h.location().page() != null) m.put("page", h.location().page());
            if (h.location().section() != null) m.put("section", h.location().section());
            out.add(Content.from(TextSegment.from(h.text(), m),
                    Map.of(ContentMetadata.SCORE, h.score(), ContentMetadata.EMBEDDING_ID, h.chunkId())));
        }
        return out;
    }
}
