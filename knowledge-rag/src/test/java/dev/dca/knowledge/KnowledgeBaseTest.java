package dev.dca.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnowledgeBaseTest {

    @TempDir Path tmp;
    Path docs;
    Path kbDir;

    /** Collects warnings and outcomes. */
    static final class Recorder implements IngestListener {
        final List<String> warnings = new ArrayList<>();
        final Map<String, IngestOutcome> outcomes = new ConcurrentHashMap<>();

        @Override
        public void warning(Path file, String message) {
            warnings.add(message);
        }

        @Override
        public void fileDone(String source, IngestOutcome outcome, int chunks) {
            outcomes.put(source, outcome);
        }
    }

    @BeforeEach
    void writeDocuments() throws IOException {
        docs = tmp.resolve("docs");
        kbDir = tmp.resolve("kb");
        Files.createDirectories(docs.resolve("garden"));
        TestDocuments.pdf(docs.resolve("manual.pdf"), "Pump Manual", List.of(
                "Installation of the centrifugal pump.\nMount the pump on a level concrete base.",
                "Maintenance schedule.\nReplace the impeller seal every eighteen months."), null);
        TestDocuments.docx(docs.resolve("garden/report.docx"), List.of(
                "The tomatoes ripened early this year because of the warm spring.",
                "Slugs damaged most of the lettuce beds in the north corner."));
        TestDocuments.write(docs.resolve("garden/notes.md"), """
                # Garden notes

                General remarks about the allotment.

                ## Watering

                Water the raspberries deeply twice a week during drought.
                """);
        TestDocuments.write(docs.resolve("page.html"), """
                <html><head><title>Bicycle Care</title><style>p { color: red }</style></head><body>
                <h1>Bicycle Care</h1><p>Clean the chain after riding in rain.</p>
                <h2>Brakes</h2><p>Adjust the brake cable tension until the levers feel firm.</p>
                </body></html>""");
        TestDocuments.write(docs.resolve("plain.txt"), "Sourdough bread needs a lively starter and a long cold proof.");
        TestDocuments.write(docs.resolve(".hidden/secret.txt"), "hidden files are not ingested");
        TestDocuments.write(docs.resolve("image.bin"), "not a supported type");
    }

    private KnowledgeBase open() throws IOException {
        return KnowledgeBase.open(kbDir, new HashEmbedder());
    }

    private static SearchRequest.Builder query(String q, SearchMode mode) {
        return SearchRequest.builder(q).mode(mode).k(5);
    }

    @Test
    void should_ingest_every_supported_format_with_title_type_and_location() throws IOException {
        try (KnowledgeBase kb = open()) {
            IngestReport report = kb.ingest(List.of(docs), IngestListener.NONE);
            assertThat(report.added()).isEqualTo(5);
            assertThat(report.skipped()).isZero();
            KbStats stats = kb.stats();
            assertThat(stats.documents()).isEqualTo(5);
            assertThat(stats.chunksByType()).containsOnlyKeys("pdf", "docx", "md", "html", "txt");

            SearchHit pdf = kb.search(query("impeller seal", SearchMode.BM25).build()).get(0);
            assertThat(pdf.source()).endsWith("manual.pdf");
            assertThat(pdf.title()).isEqualTo("Pump Manual");
            assertThat(pdf.fileType()).isEqualTo("pdf");
            assertThat(pdf.text()).contains("impeller seal");

            SearchHit docx = kb.search(query("tomatoes ripened", SearchMode.BM25).build()).get(0);
            assertThat(docx.source()).endsWith("report.docx");
            assertThat(docx.title()).isEqualTo("Quarterly Garden Report");

            SearchHit html = kb.search(query("brake cable", SearchMode.BM25).build()).get(0);
            assertThat(html.title()).isEqualTo("Bicycle Care");
            assertThat(html.text()).doesNotContain("color: red");

            assertThat(kb.search(query("hidden", SearchMode.BM25).build())).isEmpty();
        }
    }

    @Test
    void should_keep_page_section_and_character_offsets_per_chunk() throws IOException {
        DocumentParser parser = new DocumentParser();
        Chunker small = new Chunker(60, 0); // small chunks so every page/section gets its own

        ParsedDocument pdf = parser.parse(docs.resolve("manual.pdf"), "manual.pdf");
        assertThat(pdf.pageStarts()).hasSize(2);
        List<Chunk> pdfChunks = small.chunk(pdf);
        Chunk impeller = pdfChunks.stream().filter(c -> c.text().contains("impeller")).findFirst().orElseThrow();
        Chunk concrete = pdfChunks.stream().filter(c -> c.text().contains("concrete")).findFirst().orElseThrow();
        assertThat(impeller.location().page()).isEqualTo(2);
        assertThat(concrete.location().page()).isEqualTo(1);

        ParsedDocument md = parser.parse(docs.resolve("garden/notes.md"), "notes.md");
        Chunk raspberries = small.chunk(md).stream().filter(c -> c.text().contains("raspberries")).findFirst().orElseThrow();
        assertThat(raspberries.location().section()).isEqualTo("Watering");
        assertThat(md.title()).isEqualTo("Garden notes");

        ParsedDocument html = parser.parse(docs.resolve("page.html"), "page.html");
        Chunk brakes = small.chunk(html).stream().filter(c -> c.text().contains("levers")).findFirst().orElseThrow();
        assertThat(brakes.location().section()).isEqualTo("Brakes");

        for (ParsedDocument d : List.of(pdf, md, html)) {
            for (Chunk c : new Chunker(40, 10).chunk(d)) {
                Location loc = c.location();
                String span = d.text().substring(loc.start(), loc.end());
                assertThat(span.replaceAll("\\s+", " ").strip()).as("offsets of %s", c).isEqualTo(c.text().replaceAll("\\s+", " ").strip());
            }
        }
    }

    @Test
    void should_skip_unchanged_files_replace_changed_ones_and_remove() throws IOException {
        try (KnowledgeBase kb = open()) {
            kb.ingest(List.of(docs), IngestListener.NONE);
            int chunks = kb.stats().chunks();

            IngestReport again = kb.ingest(List.of(docs), IngestListener.NONE);
            assertThat(again.unchanged()).isEqualTo(5);
            assertThat(again.added() + again.updated() + again.chunks()).isZero();
            assertThat(kb.stats().chunks()).isEqualTo(chunks);

            IngestReport rechunked = kb.ingest(List.of(docs), IngestOptions.defaults().withChunking(60, 10), IngestListener.NONE);
            assertThat(rechunked.updated()).as("new chunk settings re-split every file").isEqualTo(5);
            assertThat(kb.stats().chunks()).isGreaterThan(chunks);
            assertThat(kb.ingest(List.of(docs), IngestOptions.defaults().withChunking(60, 10), IngestListener.NONE).unchanged())
                    .isEqualTo(5);
            kb.ingest(List.of(docs), IngestListener.NONE);
            assertThat(kb.stats().chunks()).isEqualTo(chunks);

            TestDocuments.write(docs.resolve("plain.txt"), "Rye bread is denser than wheat bread.");
            Recorder rec = new Recorder();
            IngestReport changed = kb.ingest(List.of(docs), IngestOptions.defaults(), rec);
            assertThat(changed.updated()).isEqualTo(1);
            assertThat(changed.unchanged()).isEqualTo(4);
            assertThat(rec.outcomes.get(docs.resolve("plain.txt").toAbsolutePath().toString())).isEqualTo(IngestOutcome.UPDATED);
            assertThat(kb.search(query("sourdough starter", SearchMode.BM25).build())).isEmpty();
            assertThat(kb.search(query("rye", SearchMode.BM25).build())).hasSize(1);
            assertThat(kb.stats().documents()).isEqualTo(5);

            Files.delete(docs.resolve("plain.txt"));
            assertThat(kb.remove(docs.resolve("plain.txt").toString())).isEqualTo(1);
            assertThat(kb.search(query("rye", SearchMode.BM25).build())).isEmpty();
            assertThat(kb.remove(docs.resolve("garden").toString())).isEqualTo(2); // a folder: everything under it
            assertThat(kb.stats().documents()).isEqualTo(2);
            assertThat(kb.sources()).allMatch(s -> s.endsWith("manual.pdf") || s.endsWith("page.html"));
            assertThat(kb.remove(docs.resolve("nothing-here.txt").toString())).isZero();
        }
    }

    @Test
    void should_filter_by_path_prefix_and_file_type_in_every_mode() throws IOException {
        try (KnowledgeBase kb = open()) {
            kb.ingest(List.of(docs), IngestListener.NONE);
            for (SearchMode mode : SearchMode.values()) {
                List<SearchHit> garden = kb.search(query("pump bicycle lettuce raspberries", mode).k(20)
                        .pathPrefix(docs.resolve("garden").toAbsolutePath() + "/").build());
                assertThat(garden).isNotEmpty().allMatch(h -> h.source().contains("/garden/"));
                List<SearchHit> pdfs = kb.search(query("pump impeller garden", mode).k(20).fileType(".PDF").build());
                assertThat(pdfs).isNotEmpty().allMatch(h -> h.fileType().equals("pdf"));
                List<SearchHit> mdOrHtml = kb.search(query("water chain brake raspberries", mode).k(20)
                        .fileType("md").fileType("html").build());
                assertThat(mdOrHtml).isNotEmpty().allMatch(h -> h.fileType().equals("md") || h.fileType().equals("html"));
            }
        }
    }

    @Test
    void should_return_hits_most_relevant_first_with_at_most_k() throws IOException {
        try (KnowledgeBase kb = open()) {
            kb.ingest(List.of(docs), IngestListener.NONE);
            for (SearchMode mode : SearchMode.values()) {
                List<SearchHit> hits = kb.search(query("bread pump bicycle garden water", mode).k(3).build());
                assertThat(hits).hasSizeLessThanOrEqualTo(3).isNotEmpty();
                for (int i = 1; i < hits.size(); i++) assertThat(hits.get(i).score()).isLessThanOrEqualTo(hits.get(i - 1).score());
            }
            assertThat(kb.search(query("sourdough starter", SearchMode.HYBRID).k(1).build()).get(0).source()).endsWith("plain.txt");
        }
    }

    @Test
    void should_persist_across_reopen() throws IOException {
        try (KnowledgeBase kb = open()) {
            kb.ingest(List.of(docs), IngestListener.NONE);
        }
        try (KnowledgeBase kb = open()) {
            assertThat(kb.stats().documents()).isEqualTo(5);
            assertThat(kb.search(query("Replace the impeller seal every eighteen months", SearchMode.DENSE).k(1).build()).get(0).source())
                    .endsWith("manual.pdf");
            assertThat(kb.ingest(List.of(docs), IngestListener.NONE).unchanged()).isEqualTo(5);
        }
    }

    @Test
    void should_skip_encrypted_and_corrupt_pdfs_with_a_warning_and_ingest_the_rest() throws IOException {
        TestDocuments.pdf(docs.resolve("locked.pdf"), "Secret", List.of("classified pump data"), "user-secret");
        byte[] good = Files.readAllBytes(docs.resolve("manual.pdf"));
        Files.write(docs.resolve("broken.pdf"), java.util.Arrays.copyOf(good, good.length / 3));
        Files.writeString(docs.resolve("garbage.pdf"), "%PDF-1.7\nthis is not really a pdf\n");
        Recorder rec = new Recorder();
        try (KnowledgeBase kb = open()) {
            IngestReport report = kb.ingest(List.of(docs), IngestOptions.defaults(), rec);
            assertThat(report.added()).isEqualTo(5);
            assertThat(report.skipped()).isEqualTo(3);
            assertThat(rec.warnings).hasSize(3).allMatch(w -> !w.contains("\n"));
            assertThat(rec.warnings).anyMatch(w -> w.contains("locked.pdf") && w.contains("encrypted"));
            assertThat(rec.warnings).anyMatch(w -> w.contains("garbage.pdf"));
            assertThat(kb.stats().documents()).isEqualTo(5);
        }
    }

    @Test
    void should_refuse_a_second_writer_with_a_clear_message() throws IOException {
        try (KnowledgeBase kb = open();
                Directory dir = FSDirectory.open(kbDir);
                IndexWriter other = new IndexWriter(dir, new IndexWriterConfig())) {
            assertThatThrownBy(() -> kb.ingest(List.of(docs), IngestListener.NONE))
                    .isInstanceOf(KnowledgeBaseLockedException.class)
                    .hasMessageContaining("another dca process is writing to KB " + kbDir);
            assertThat(kb.search(query("pump", SearchMode.BM25).build())).isEmpty(); // reading still works
        }
    }

    @Test
    void should_reject_missing_paths_before_writing_anything() throws IOException {
        try (KnowledgeBase kb = open()) {
            assertThatThrownBy(() -> kb.ingest(List.of(docs, tmp.resolve("missing")), IngestListener.NONE))
                    .isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing");
            assertThat(kb.stats().documents()).isZero();
        }
    }

    @Test
    void should_refuse_a_knowledge_base_built_with_another_embedding_model() throws IOException {
        try (KnowledgeBase kb = open()) {
            kb.ingest(List.of(docs.resolve("plain.txt")), IngestListener.NONE);
        }
        Embedder other = new HashEmbedder() {
            @Override
            public String name() {
                return "other-model";
            }
        };
        assertThatThrownBy(() -> KnowledgeBase.open(kbDir, other))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("test-hash").hasMessageContaining("other-model");
    }

    @Test
    void should_serve_concurrent_readers_while_writing() throws Exception {
        for (int i = 0; i < 40; i++) TestDocuments.write(docs.resolve("many/f" + i + ".txt"), "compost heap number " + i + " is warm");
        try (KnowledgeBase kb = open()) {
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> readers = new ArrayList<>();
            int[] reads = new int[3];
            for (int r = 0; r < 3; r++) {
                int id = r;
                readers.add(Thread.ofPlatform().start(() -> {
                    int last = 0;
                    try {
                        while (!done.get()) {
                            int n = kb.search(query("compost heap", SearchMode.values()[id]).k(100).build()).size();
                            if (n < last) throw new AssertionError("results went back from " + last + " to " + n);
                            last = n;
                            reads[id]++;
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                }));
            }
            IngestOptions everyFile = IngestOptions.defaults().withEmbedBatch(1).withCommits(java.time.Duration.ZERO, 1);
            kb.ingest(List.of(docs.resolve("many")), everyFile, IngestListener.NONE);
            done.set(true);
            for (Thread t : readers) t.join();
            assertThat(errors).isEmpty();
            assertThat(java.util.Arrays.stream(reads).min().orElseThrow()).isPositive();
            assertThat(kb.search(query("compost heap", SearchMode.BM25).k(100).build())).hasSize(40);
        }
    }
}
