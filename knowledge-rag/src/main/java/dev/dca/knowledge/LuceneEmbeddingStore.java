package dev.dca.knowledge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;

/**
 * The knowledge base's index as a langchain4j {@code EmbeddingStore<TextSegment>}, so it plugs into langchain4j RAG
 * pipelines. Segments added here live beside ingested chunks (same vectors, same BM25 field) and are found by
 * {@link KnowledgeBase#search} too. Ingested chunks come back with their metadata ({@code path}, {@code title},
 * {@code type}, {@code page}, {@code section}, {@code start}, {@code end}).
 *
 * <p>Scores are langchain4j relevance scores, {@code (cosine + 1) / 2}. Filters supported: {@code isEqualTo},
 * {@code isNotEqualTo}, {@code isIn}, {@code isNotIn}, {@code and}, {@code or}, {@code not}; values compare by their
 * string form. Keys {@code path} and {@code type} also match ingested chunks. Every write commits.
 */
public final class LuceneEmbeddingStore implements EmbeddingStore<TextSegment> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String META_FIELD_PREFIX = "m.";
    private static final String NO_SEGMENT = "null";

    private final KnowledgeBase kb;

    LuceneEmbeddingStore(KnowledgeBase kb) {
        this.kb = kb;
    }

    @Override
    public String add(Embedding embedding) {
        String id = UUID.randomUUID().toString();
        add(id, embedding);
        return id;
    }

    @Override
    public void add(String id, Embedding embedding) {
        addAll(List.of(id), List.of(embedding), null);
    }

    @Override
    public String add(Embedding embedding, TextSegment segment) {
        String id = UUID.randomUUID().toString();
        addAll(List.of(id), List.of(embedding), List.of(segment));
        return id;
    }

    @Override
    public List<String> addAll(List<Embedding> embeddings) {
        List<String> ids = generateIds(embeddings.size());
        addAll(ids, embeddings, null);
        return ids;
    }

    @Override
    public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
        if (ids.size() != embeddings.size() || (segments != null && segments.size() != ids.size()))
            throw new IllegalArgumentException("ids, embeddings and segments must have the same size: " + ids.size()
                    + ", " + embeddings.size() + ", " + (segments == null ? "-" : segments.size()));
        for (Embedding e : embeddings)
            if (e.dimension() != kb.embedder().dimension())
                throw new IllegalArgumentException("embedding has " + e.dimension() + " dimensions; this store holds "
                        + kb.embedder().dimension());
        try {
            kb.write(writer -> {
                for (int i = 0; i < ids.size(); i++) {
                    TextSegment seg = segments == null ? null : segments.get(i);
                    writer.updateDocument(new Term(KbSchema.ID, ids.get(i)), document(ids.get(i), embeddings.get(i), seg));
                }
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Document document(String id, Embedding embedding, TextSegment seg) {
        Map<String, Object> meta = seg == null ? Map.of() : seg.metadata().toMap();
        String source = firstString(meta, "path", "source", "file_name", "url");
        if (source == null) source = "embedding-store:" + id;
        String title = firstString(meta, "title", "file_name");
        String type = firstString(meta, "type");
        String text = seg == null ? "" : seg.text();
        Chunk chunk = new Chunk(0, text, new Location(null, null, 0, text.length()));
        Document d = KbSchema.chunkDocument(id, source, type == null ? "" : type, title == null ? source : title, chunk,
                embedding.vector(), seg == null ? NO_SEGMENT : toJson(meta));
        for (var e : meta.entrySet())
            d.add(new StringField(META_FIELD_PREFIX + e.getKey(), String.valueOf(e.getValue()), Field.Store.NO));
        return d;
    }

    private static String firstString(Map<String, Object> meta, String... keys) {
        for (String k : keys) if (meta.get(k) != null) return meta.get(k).toString();
        return null;
    }

    /** Metadata as {@code {"key": ["Integer", "5"], ...}}, keeping each value's type for the round trip. */
    private static String toJson(Map<String, Object> meta) {
        Map<String, List<String>> typed = new LinkedHashMap<>();
        meta.forEach((k, v) -> typed.put(k, List.of(v.getClass().getSimpleName(), v.toString())));
        try {
            return JSON.writeValueAsString(typed);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Metadata fromJson(String json) {
        Metadata m = new Metadata();
        try {
            Map<?, ?> typed = JSON.readValue(json, Map.class);
            for (var e : typed.entrySet()) {
                List<?> tv = (List<?>) e.getValue();
                String key = (String) e.getKey(), v = (String) tv.get(1);
                switch ((String) tv.get(0)) {
                    case "Integer" -> m.put(key, Integer.parseInt(v));
                    case "Long" -> m.put(key, Long.parseLong(v));
                    case "Float" -> m.put(key, Float.parseFloat(v));
                    case "Double" -> m.put(key, Double.parseDouble(v));
                    case "UUID" -> m.put(key, UUID.fromString(v));
                    default -> m.put(key, v);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("corrupt segment metadata in the index: " + json, e);
        }
        return m;
    }

    @Override
    public void remove(String id) {
        removeAll(List.of(id));
    }

    @Override
    public void removeAll(Collection<String> ids) {
        if (ids == null || ids.isEmpty()) throw new IllegalArgumentException("ids must not be empty");
        try {
            kb.write(writer -> {
                for (String id : ids) writer.deleteDocuments(new Term(KbSchema.ID, id));
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void removeAll(Filter filter) {
        if (filter == null) throw new IllegalArgumentException("filter must not be null");
        Query q = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(KbSchema.KIND, KbSchema.KIND_CHUNK)), BooleanClause.Occur.FILTER)
                .add(toQuery(filter), BooleanClause.Occur.FILTER)
                .build();
        try {
            kb.write(writer -> {
                writer.deleteDocuments(q);
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes everything: ingested files included. */
    @Override
    public void removeAll() {
        try {
            kb.write(writer -> {
                writer.deleteDocuments(new MatchAllDocsQuery());
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
        if (request.queryEmbedding() == null) throw new IllegalArgumentException("queryEmbedding must be set");
        Query filter = request.filter() == null ? null : toQuery(request.filter());
        try {
            return kb.read(searcher -> {
                var knn = new org.apache.lucene.search.KnnFloatVectorQuery(
                        KbSchema.VECTOR, request.queryEmbedding().vector(), request.maxResults(), filter);
                List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
                for (ScoreDoc sd : searcher.search(knn, request.maxResults()).scoreDocs) {
                    if (sd.score < request.minScore()) continue;
                    matches.add(match(searcher, sd));
                }
                return new EmbeddingSearchResult<>(matches);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static EmbeddingMatch<TextSegment> match(IndexSearcher searcher, ScoreDoc sd) throws IOException {
        Document d = searcher.storedFields().document(sd.doc);
        float[] vector = KnowledgeBase.vectorOf(searcher, sd.doc);
        String meta = d.get(KbSchema.META);
        TextSegment segment;
        if (NO_SEGMENT.equals(meta)) {
            segment = null;
        } else if (meta != null) {
            segment = TextSegment.from(d.get(KbSchema.TEXT), fromJson(meta));
        } else {
            Metadata m = new Metadata().put("path", d.get(KbSchema.PATH)).put("title", d.get(KbSchema.TITLE))
                    .put("type", d.get(KbSchema.TYPE))
                    .put("start", d.getField(KbSchema.START).numericValue().intValue())
                    .put("end", d.getField(KbSchema.END).numericValue().intValue());
            if (d.getField(KbSchema.PAGE) != null) m.put("page", d.getField(KbSchema.PAGE).numericValue().intValue());
            if (d.get(KbSchema.SECTION) != null) m.put("section", d.get(KbSchema.SECTION));
            segment = TextSegment.from(d.get(KbSchema.TEXT), m);
        }
        return new EmbeddingMatch<>((double) sd.score, d.get(KbSchema.ID), vector == null ? null : Embedding.from(vector),
                segment);
    }

    static Query toQuery(Filter f) {
        if (f instanceof IsEqualTo eq) return equalTo(eq.key(), eq.comparisonValue());
        if (f instanceof IsNotEqualTo ne) return not(equalTo(ne.key(), ne.comparisonValue()));
        if (f instanceof IsIn in) return anyOf(in.key(), in.comparisonValues());
        if (f instanceof IsNotIn nin) return not(anyOf(nin.key(), nin.comparisonValues()));
        if (f instanceof And and)
            return new BooleanQuery.Builder().add(toQuery(and.left()), BooleanClause.Occur.FILTER)
                    .add(toQuery(and.right()), BooleanClause.Occur.FILTER).build();
        if (f instanceof Or or)
            return new BooleanQuery.Builder().add(toQuery(or.left()), BooleanClause.Occur.SHOULD)
                    .add(toQuery(or.right()), BooleanClause.Occur.SHOULD).setMinimumNumberShouldMatch(1).build();
        if (f instanceof Not not) return not(toQuery(not.expression()));
        throw new UnsupportedOperationException("filter " + f.getClass().getSimpleName()
                + " is not supported; supported: isEqualTo, isNotEqualTo, isIn, isNotIn, and, or, not");
    }

    private static Query equalTo(String key, Object value) {
        String v = String.valueOf(value);
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        b.add(new TermQuery(new Term(META_FIELD_PREFIX + key, v)), BooleanClause.Occur.SHOULD);
        if (key.equals("path")) b.add(new TermQuery(new Term(KbSchema.PATH, v)), BooleanClause.Occur.SHOULD);
        if (key.equals("type")) b.add(new TermQuery(new Term(KbSchema.TYPE, v)), BooleanClause.Occur.SHOULD);
        return b.build();
    }

    private static Query anyOf(String key, Collection<?> values) {
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
        for (Object v : values) b.add(equalTo(key, v), BooleanClause.Occur.SHOULD);
        return b.build();
    }

    private static Query not(Query q) {
        return new BooleanQuery.Builder().add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER)
                .add(q, BooleanClause.Occur.MUST_NOT).build();
    }
}
