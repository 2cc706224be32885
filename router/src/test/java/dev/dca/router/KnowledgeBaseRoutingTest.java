package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.knowledge.IngestListener;
import dev.dca.knowledge.KnowledgeBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relevance from the real knowledge base (MiniLM) drives the route; the answer cites the file. */
class KnowledgeBaseRoutingTest {

    @TempDir
    static Path tmp;

    static KnowledgeBase kb;

    @BeforeAll
    static void ingest() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("lakes.md"), """
                # Lakes of Norvane

                Lake Verin is the deepest lake in Norvane, 41 metres at its deepest point. It freezes every January.

                Lake Osk lies east of Verin and is known for its red reeds.
                """);
        kb = KnowledgeBase.open(tmp.resolve("kb"));
        kb.ingest(List.of(docs), IngestListener.NONE);
    }

    @AfterAll
    static void close() throws Exception {
        if (kb != null) kb.close();
    }

    @Test
    void should_find_relevant_passages_above_the_threshold_and_irrelevant_below() {
        KnowledgeBaseRetriever r = new KnowledgeBaseRetriever(kb);
        List<Passage> relevant = r.retrieve("How deep is Lake Verin?", 3);
        List<Passage> unrelated = r.retrieve("What is the best recipe for chocolate cake?", 3);
        assertThat(relevant).isNotEmpty();
        assertThat(relevant.getFirst().source()).endsWith("lakes.md");
        assertThat(relevant.getFirst().relevance()).isGreaterThanOrEqualTo(Router.DEFAULT_RELEVANCE_THRESHOLD);
        assertThat(unrelated.stream().mapToDouble(Passage::relevance).max().orElse(0)).isLessThan(Router.DEFAULT_RELEVANCE_THRESHOLD);
    }

    @Test
    void should_route_by_the_knowledge_base_and_cite_the_file() {
        FakeLanguageModel model = new FakeLanguageModel(8192, p -> p.contains("41 metres") ? "41 metres [1]." : "I do not know.");
        try (Dca dca = Dca.builder().model(model).retriever(new KnowledgeBaseRetriever(kb)).build()) {
            Answer a = dca.ask("How deep is Lake Verin?");
            assertThat(a.route()).as(a.decision().reason()).isEqualTo(Route.RAG);
            assertThat(a.text()).isEqualTo("41 metres [1].");
            assertThat(a.citations()).first().satisfies(c -> {
                assertThat(c.number()).isEqualTo(1);
                assertThat(c.source()).endsWith("lakes.md");
                assertThat(c.location()).contains("chars");
            });
            Answer chat = dca.ask("Hello!");
            assertThat(chat.route()).isEqualTo(Route.DIRECT);
            assertThat(chat.citations()).isEmpty();
        }
    }
}
