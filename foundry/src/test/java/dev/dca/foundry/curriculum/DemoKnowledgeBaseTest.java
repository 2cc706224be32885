package dev.dca.foundry.curriculum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.SearchHit;
import dev.dca.knowledge.SearchMode;
import dev.dca.knowledge.SearchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoKnowledgeBaseTest {

    @Test
    void documents_are_deterministic_distinct_and_state_every_fact_as_a_sentence() {
        List<String[]> docs = DemoKnowledgeBase.documents();
        assertThat(docs).hasSize(DemoKnowledgeBase.DOCUMENTS);
        assertThat(docs.stream().map(d -> d[0]).distinct()).hasSize(DemoKnowledgeBase.DOCUMENTS);
        List<String[]> again = DemoKnowledgeBase.documents();
        for (int i = 0; i < docs.size(); i++) assertThat(again.get(i)).containsExactly(docs.get(i));
        assertThat(docs).allSatisfy(d -> {
            assertThat(d[0]).endsWith(".md");
            assertThat(d[1]).startsWith("# ");
            assertThat(d[1].split("\\. ").length).isGreaterThanOrEqualTo(4); // every attribute of its kind
        });
    }

    @Test
    void ensure_builds_a_searchable_knowledge_base_once_and_reuses_it(@TempDir Path home) throws Exception {
        Path index = DemoKnowledgeBase.ensure(home);
        String[] first = DemoKnowledgeBase.documents().get(0);
        String firstSentence = first[1].lines().skip(2).findFirst().orElseThrow().split("\\. ")[0];
        try (KnowledgeBase kb = KnowledgeBase.open(index)) {
            assertThat(kb.stats().documents()).isEqualTo(DemoKnowledgeBase.DOCUMENTS);
            List<SearchHit> hits = kb.search(SearchRequest.builder(firstSentence).mode(SearchMode.BM25).k(3).build());
            assertThat(hits).isNotEmpty();
            assertThat(hits.get(0).source()).endsWith(first[0]);
        }
        long modified = Files.getLastModifiedTime(home.resolve("docs").resolve(first[0])).toMillis();
        DemoKnowledgeBase.ensure(home); // second use: nothing rewritten
        assertThat(Files.getLastModifiedTime(home.resolve("docs").resolve(first[0])).toMillis()).isEqualTo(modified);
    }
}
