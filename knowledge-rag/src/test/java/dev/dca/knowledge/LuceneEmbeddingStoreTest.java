package dev.dca.knowledge;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The langchain4j contracts: EmbeddingStore (add, search, filters, minScore, remove) and ContentRetriever. */
class LuceneEmbeddingStoreTest {

    @TempDir Path tmp;
    KnowledgeBase kb;
    EmbeddingStore<TextSegment> store;
    final HashEmbedder embedder = new HashEmbedder();

    @BeforeEach
    void open() throws IOException {
        kb = KnowledgeBase.open(tmp.resolve("kb"), embedder);
        store = kb.embeddingStore();
    }

    @AfterEach
    void close() throws IOException {
        kb.close();
    }

    private Embedding embed(String text) {
        return Embedding.from(embedder.embed(text));
    }

    private EmbeddingSearchRequest.EmbeddingSearchRequestBuilder request(String text) {
        return EmbeddingSearchRequest.builder().queryEmbedding(embed(text)).maxResults(10);
    }

    @Test
    void should_add_segments_and_find_them_most_similar_first_with_metadata_and_embedding() {
        TextSegment cats = TextSegment.from("cats purr and sleep", new Metadata().put("path", "a.txt").put("year", 2020)
                .put("weight", 1.5).put("big", 1L << 40));
        String catId = store.add(embed(cats.text()), cats);
        store.add(embed("dogs bark loudly"), TextSegment.from("dogs bark loudly", Metadata.from("path", "b.txt")));
        store.add(embed("fish swim in water"), TextSegment.from("fish swim in water", Metadata.from("path", "c.txt")));

        List<EmbeddingMatch<TextSegment>> matches = store.search(request("cats purr and sleep").build()).matches();
        assertThat(matches).hasSize(3);
        EmbeddingMatch<TextSegment> best = matches.get(0);
        assertThat(best.embeddingId()).isEqualTo(catId);
        assertThat(best.score()).isCloseTo(1.0, within(1e-5)); // relevance = (cos + 1) / 2
        assertThat(best.embedded()).isEqualTo(cats); // text and typed metadata round-trip
        assertThat(best.embedding().vector()).containsExactly(embed(cats.text()).vector());
        for (int i = 1; i < matches.size(); i++) assertThat(matches.get(i).score()).isLessThanOrEqualTo(matches.get(i - 1).score());
    }

    @Test
    void should_honour_max_results_and_min_score() {
        for (String t : List.of("red apple", "green apple", "yellow banana", "blue sky")) store.add(embed(t), TextSegment.from(t));
        assertThat(store.search(request("red apple").maxResults(2).build()).matches()).hasSize(2);
        List<EmbeddingMatch<TextSegment>> close = store.search(request("red apple").minScore(0.7).build()).matches();
        assertThat(close).isNotEmpty().allMatch(m -> m.score() >= 0.7);
        assertThat(close).extracting(m -> m.embedded().text()).contains("red apple").doesNotContain("blue sky");
    }

    @Test
    void should_store_embeddings_without_segments_and_under_given_ids() {
        String id = store.add(embed("lonely vector"));
        store.add("my-id", embed("named vector"));
        List<String> ids = store.addAll(List.of(embed("one"), embed("two")));
        assertThat(ids).hasSize(2).doesNotHaveDuplicates();
        EmbeddingMatch<TextSegment> m = store.search(request("named vector").maxResults(1).build()).matches().get(0);
        assertThat(m.embeddingId()).isEqualTo("my-id");
        assertThat(m.embedded()).isNull();
        assertThat(store.search(request("lonely vector").maxResults(1).build()).matches().get(0).embeddingId()).isEqualTo(id);
    }

    @Test
    void should_filter_by_metadata() {
        store.add(embed("rust guide"), TextSegment.from("rust guide", new Metadata().put("lang", "rust").put("year", 2021)));
        store.add(embed("java guide"), TextSegment.from("java guide", new Metadata().put("lang", "java").put("year", 2021)));
        store.add(embed("java tips"), TextSegment.from("java tips", new Metadata().put("lang", "java").put("year", 2024)));

        assertThat(store.search(request("guide").filter(metadataKey("lang").isEqualTo("java")).build()).matches())
                .extracting(m -> m.embedded().text()).containsExactlyInAnyOrder("java guide", "java tips");
        assertThat(store.search(request("guide").filter(metadataKey("lang").isEqualTo("java")
                        .and(metadataKey("year").isEqualTo(2021))).build()).matches())
                .extracting(m -> m.embedded().text()).containsExactly("java guide");
        assertThat(store.search(request("guide").filter(metadataKey("lang").isNotEqualTo("java")).build()).matches())
                .extracting(m -> m.embedded().text()).containsExactly("rust guide");
        assertThat(store.search(request("guide").filter(metadataKey("year").isIn(2024, 2030)).build()).matches())
                .extracting(m -> m.embedded().text()).containsExactly("java tips");
        assertThatThrownBy(() -> store.search(request("guide").filter(new IsGreaterThan("year", 2000)).build()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("isEqualTo");
    }

    @Test
    void should_remove_by_id_by_filter_and_all() {
        String a = store.add(embed("alpha"), TextSegment.from("alpha", Metadata.from("group", "x")));
        String b = store.add(embed("beta"), TextSegment.from("beta", Metadata.from("group", "x")));
        store.add(embed("gamma"), TextSegment.from("gamma", Metadata.from("group", "y")));
        store.remove(a);
        assertThat(store.search(request("alpha").build()).matches()).extracting(EmbeddingMatch::embeddingId)
                .doesNotContain(a).contains(b);
        store.removeAll(metadataKey("group").isEqualTo("x"));
        assertThat(store.search(request("alpha").build()).matches()).extracting(m -> m.embedded().text()).containsExactly("gamma");
        store.removeAll();
        assertThat(store.search(request("gamma").build()).matches()).isEmpty();
        assertThatThrownBy(() -> store.removeAll(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_reject_embeddings_of_the_wrong_dimension() {
        assertThatThrownBy(() -> store.add(Embedding.from(new float[] {1, 0, 0})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("384");
    }

    @Test
    void should_find_ingested_chunks_through_the_store_and_the_content_retriever() throws IOException {
        TestDocuments.write(tmp.resolve("docs/kettle.md"), "# Kettle\n\nDescale the kettle with vinegar every month.\n");
        kb.ingest(List.of(tmp.resolve("docs")), IngestListener.NONE);
        TextSegment chunk = store.search(request("descale kettle vinegar").maxResults(1).build()).matches().get(0).embedded();
        assertThat(chunk.metadata().getString("path")).endsWith("kettle.md");
        assertThat(chunk.metadata().getString("type")).isEqualTo("md");

        var retriever = kb.contentRetriever(SearchRequest.builder("template").mode(SearchMode.HYBRID).k(2).fileType("md").build());
        List<Content> contents = retriever.retrieve(Query.from("how do I descale the kettle"));
        assertThat(contents).isNotEmpty().hasSizeLessThanOrEqualTo(2);
        Content top = contents.get(0);
        assertThat(top.textSegment().text()).contains("vinegar");
        assertThat(top.textSegment().metadata().getString("citation")).contains("kettle.md").contains("chars");
        assertThat(top.textSegment().metadata().getString("section")).isEqualTo("Kettle");
        assertThat(top.metadata()).containsKey(ContentMetadata.SCORE);
    }
}
