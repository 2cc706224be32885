package dev.dca.knowledge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.dca.knowledge.Embedder;
import dev.dca.knowledge.Fusion;
import dev.dca.knowledge.IngestListener;
import dev.dca.knowledge.IngestOptions;
import dev.dca.knowledge.IngestReport;
import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.SearchMode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirEvaluatorTest {

    @TempDir Path tmp;

    @Test
    void ndcg_and_recall_should_match_hand_computed_values() {
        Map<String, Integer> rel = Map.of("a", 1, "b", 1);
        assertThat(RetrievalMetrics.ndcg(List.of("a", "b", "c"), rel, 10)).isCloseTo(1.0, within(1e-12));
        // hit at rank 2 only: (1/log2(3)) / (1 + 1/log2(3))
        double expected = (1 / (Math.log(3) / Math.log(2))) / (1 + 1 / (Math.log(3) / Math.log(2)));
        assertThat(RetrievalMetrics.ndcg(List.of("x", "a", "y"), rel, 10)).isCloseTo(expected, within(1e-12));
        assertThat(RetrievalMetrics.ndcg(List.of("x", "y"), rel, 10)).isZero();
        assertThat(RetrievalMetrics.recall(List.of("a", "x"), rel, 100)).isEqualTo(0.5);
        assertThat(RetrievalMetrics.recall(List.of("x", "a"), rel, 1)).isZero();
    }

    @Test
    void should_load_a_beir_folder_and_score_a_retriever() throws Exception {
        Path beir = tmp.resolve("beir");
        Files.createDirectories(beir.resolve("qrels"));
        Files.writeString(beir.resolve("corpus.jsonl"), """
                {"_id":"d1","title":"Volcanoes","text":"Lava flows from erupting volcanoes."}
                {"_id":"d2","title":"Glaciers","text":"Glaciers carve valleys slowly."}
                {"_id":"d3","title":"Deserts","text":"Deserts receive very little rain."}
                """);
        Files.writeString(beir.resolve("queries.jsonl"), """
                {"_id":"q1","text":"erupting lava"}
                {"_id":"q2","text":"glaciers carve valleys"}
                {"_id":"q3","text":"unjudged query"}
                """);
        Files.writeString(beir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n");
        BeirDataset data = BeirDataset.load(beir, "test");
        assertThat(data.corpus()).hasSize(3);
        assertThat(data.queries()).containsOnlyKeys("q1", "q2");

        Embedder words = new Embedder() { // bag of words: enough to rank these three documents
            public float[][] embed(List<String> texts) {
                float[][] out = new float[texts.size()][];
                for (int i = 0; i < out.length; i++) {
                    out[i] = new float[16];
                    for (String w : texts.get(i).toLowerCase().split("\\W+")) out[i][Math.floorMod(w.hashCode(), 16)] += 1;
                }
                return out;
            }
            public int dimension() { return 16; }
            public String name() { return "bag-of-words-16"; }
        };
        try (KnowledgeBase kb = KnowledgeBase.open(tmp.resolve("kb"), words)) {
            BeirEvaluator evaluator = new BeirEvaluator(kb, data);
            IngestReport indexing = evaluator.index(IngestOptions.defaults(), IngestListener.NONE);
            assertThat(indexing.added()).isEqualTo(3);
            BeirResult bm25 = evaluator.evaluate(SearchMode.BM25, Fusion.RRF, 0.5, indexing);
            assertThat(bm25.ndcgAt10()).isCloseTo(1.0, within(1e-9));
            assertThat(bm25.recallAt100()).isEqualTo(1.0);
            assertThat(bm25.queries()).isEqualTo(2);
            assertThat(bm25.docs()).isEqualTo(3);
            assertThat(evaluator.index(IngestOptions.defaults(), IngestListener.NONE).unchanged()).isEqualTo(3);
        }
        assertThatThrownBy(() -> BeirDataset.load(tmp, "test")).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("corpus.jsonl");
    }
}
