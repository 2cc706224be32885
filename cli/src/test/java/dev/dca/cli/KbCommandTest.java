package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dca kb ...} end to end with the bundled embedding model. */
class KbCommandTest {

    @TempDir Path tmp;

    record Run(int exit, String out, String err) {}

    private static Run dca(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int exit = Dca.execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void should_ingest_search_show_stats_and_remove() throws Exception {
        Path docs = tmp.resolve("docs");
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("tea.md"), "# Tea\n\nGreen tea should steep for two minutes at 80 degrees.\n");
        Files.writeString(docs.resolve("bikes.txt"), "Inflate road bike tyres to about seven bar.");
        Files.writeString(docs.resolve("broken.pdf"), "%PDF-1.4 not really");
        String kb = tmp.resolve("kb").toString();

        Run ingest = dca("kb", "ingest", docs.toString(), "--kb", kb, "--no-progress");
        assertThat(ingest.exit()).as(ingest.err()).isZero();
        assertThat(ingest.out()).contains("2 added").contains("1 skipped");
        assertThat(ingest.err()).contains("dca: warning:").contains("broken.pdf");

        Run search = dca("kb", "search", "how long to steep green tea", "--kb", kb, "--k", "1", "--json");
        assertThat(search.exit()).as(search.err()).isZero();
        JsonNode hits = new ObjectMapper().readTree(search.out());
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).get("source").asText()).endsWith("tea.md");
        assertThat(hits.get(0).get("section").asText()).isEqualTo("Tea");
        assertThat(hits.get(0).get("score").asDouble()).isPositive();

        Run text = dca("kb", "search", "tyres", "--kb", kb, "--mode", "bm25", "--type", "txt");
        assertThat(text.out()).contains("bikes.txt").contains("seven bar");

        Run stats = dca("kb", "stats", "--kb", kb, "--json");
        JsonNode s = new ObjectMapper().readTree(stats.out());
        assertThat(s.get("documents").asInt()).isEqualTo(2);

        Run remove = dca("kb", "remove", docs.resolve("tea.md").toString(), "--kb", kb);
        assertThat(remove.out()).contains("removed 1 file");
        assertThat(new ObjectMapper().readTree(dca("kb", "stats", "--kb", kb, "--json").out()).get("documents").asInt()).isEqualTo(1);
    }

    @Test
    void should_report_user_errors_in_one_line() throws Exception {
        String kb = tmp.resolve("kb").toString();
        Run badMode = dca("kb", "search", "x", "--kb", kb, "--mode", "fuzzy");
        assertThat(badMode.exit()).isEqualTo(2);
        assertThat(badMode.err().strip()).isEqualTo("dca: unknown search mode 'fuzzy' (expected bm25, dense or hybrid)");

        for (String cmd : new String[] {"search", "stats", "remove"}) { // reading a KB that is not there creates none
            Run absent = "stats".equals(cmd) ? dca("kb", cmd, "--kb", kb) : dca("kb", cmd, "x", "--kb", kb);
            assertThat(absent.exit()).as(cmd).isEqualTo(2);
            assertThat(absent.err().strip()).as(cmd).isEqualTo("dca: knowledge base not found: " + kb + " (create it with: dca kb ingest FILES --kb " + kb + ")");
            assertThat(Path.of(kb)).as(cmd).doesNotExist();
        }

        Run missing = dca("kb", "ingest", tmp.resolve("nope").toString(), "--kb", kb);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("dca: ").contains("nope").doesNotContain("\tat ");

        Files.writeString(tmp.resolve("a.txt"), "text");
        try (FSDirectory dir = FSDirectory.open(Path.of(kb)); IndexWriter other = new IndexWriter(dir, new IndexWriterConfig())) {
            Run locked = dca("kb", "ingest", tmp.resolve("a.txt").toString(), "--kb", kb);
            assertThat(locked.exit()).isEqualTo(2);
            assertThat(locked.err()).startsWith("dca: another dca process is writing to KB " + kb).doesNotContain("\tat ");
        }
    }
}
