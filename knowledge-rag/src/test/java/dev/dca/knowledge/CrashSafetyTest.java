package dev.dca.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 in the middle of an ingest: the last commit survives intact and a re-run completes the job. */
class CrashSafetyTest {

    @TempDir Path tmp;

    @Test
    void should_keep_the_last_commit_after_kill_9_and_complete_on_rerun() throws Exception {
        Path folder = tmp.resolve("docs");
        int files = 60;
        for (int i = 0; i < files; i++)
            TestDocuments.write(folder.resolve(String.format("f%03d.txt", i)),
                    ("File " + i + " talks about apples and pears. ").repeat(40 + i));
        Path kbDir = tmp.resolve("kb");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        CrashIngestMain.class.getName(), kbDir.toString(), folder.toString(), "100")
                .redirectErrorStream(true).start();
        int committedBeforeKill = 0;
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = out.readLine()) != null; ) {
                output.add(line);
                if (line.startsWith("committed ")) committedBeforeKill = Integer.parseInt(line.substring(10).trim());
                if (committedBeforeKill >= 5) break;
            }
            assertThat(p.isAlive()).as("subprocess still ingesting; output: %s", output).isTrue();
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no IndexWriter.close()
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(output).doesNotContain("done");
        assertThat(p.exitValue()).isNotZero();

        try (FSDirectory dir = FSDirectory.open(kbDir); CheckIndex check = new CheckIndex(dir)) {
            assertThat(check.checkIndex().clean).isTrue();
        }
        try (KnowledgeBase kb = KnowledgeBase.open(kbDir, new HashEmbedder())) {
            KbStats stats = kb.stats();
            assertThat(stats.documents()).isBetween(committedBeforeKill, files - 1);
            // Every committed file is complete: its manifest entry and all its chunks arrived in one block.
            int expectedChunks = 0;
            for (String source : kb.sources()) {
                List<SearchHit> hits = kb.search(SearchRequest.builder("apples").mode(SearchMode.BM25).k(1000)
                        .pathPrefix(source).build());
                assertThat(hits).as(source).isNotEmpty();
                assertThat(hits.stream().map(SearchHit::chunkId).distinct().count()).isEqualTo(hits.size());
                expectedChunks += hits.size();
            }
            assertThat(stats.chunks()).isEqualTo(expectedChunks);

            IngestReport rerun = kb.ingest(List.of(folder), IngestListener.NONE);
            assertThat(rerun.unchanged()).isEqualTo(stats.documents());
            assertThat(rerun.added()).isEqualTo(files - stats.documents());
            assertThat(kb.stats().documents()).isEqualTo(files);
        }
    }
}
