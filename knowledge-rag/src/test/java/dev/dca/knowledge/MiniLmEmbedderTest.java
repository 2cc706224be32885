package dev.dca.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real bundled all-MiniLM-L6-v2 (no network): unit vectors, paraphrases close, dense retrieval works. */
class MiniLmEmbedderTest {

    @TempDir Path tmp;

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) dot += a[i] * b[i];
        return dot;
    }

    @Test
    void should_embed_in_process_to_unit_vectors_where_paraphrases_are_close() {
        Embedder e = Embedder.allMiniLmL6V2();
        float[][] v = e.embed(List.of("How do I reset my password?", "I forgot my login password", "The cat sat on the mat"));
        assertThat(v).hasNumberOfRows(3);
        for (float[] x : v) {
            assertThat(x).hasSize(384);
            assertThat(cosine(x, x)).isCloseTo(1.0, within(1e-3));
        }
        assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.2);
    }

    @Test
    void dense_search_should_find_a_paraphrase_that_shares_no_words() throws IOException {
        TestDocuments.write(tmp.resolve("d/a.txt"), "Automobiles need their engine oil changed regularly.");
        TestDocuments.write(tmp.resolve("d/b.txt"), "Photosynthesis turns sunlight into chemical energy in plants.");
        TestDocuments.write(tmp.resolve("d/c.txt"), "The stock market fell sharply on Tuesday.");
        try (KnowledgeBase kb = KnowledgeBase.open(tmp.resolve("kb"))) {
            kb.ingest(List.of(tmp.resolve("d")), IngestListener.NONE);
            SearchHit top = kb.search(SearchRequest.builder("how do leaves make food from light").mode(SearchMode.DENSE).k(1).build()).get(0);
            assertThat(top.source()).endsWith("b.txt");
            assertThat(kb.search(SearchRequest.builder("how do leaves make food from light").mode(SearchMode.BM25).build()))
                    .noneMatch(h -> h.source().endsWith("b.txt"));
            assertThat(kb.search(SearchRequest.builder("vehicle maintenance").mode(SearchMode.HYBRID).k(1).build()).get(0).source())
                    .endsWith("a.txt");
        }
    }
}
