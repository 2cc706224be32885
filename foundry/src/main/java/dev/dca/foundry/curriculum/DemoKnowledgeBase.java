package dev.dca.foundry.curriculum;

import dev.dca.knowledge.IngestListener;
import dev.dca.knowledge.KnowledgeBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The sample knowledge base behind {@code --kb demo}: a few dozen Markdown documents about invented towns, people
 * and things, generated from the same facts the bundled model was trained to cite. It is generated and indexed on
 * first use (into {@code ~/.dca/demo-kb}) rather than shipped as a Lucene index, so the repository carries no
 * binary index tied to one Lucene version; re-use is incremental, so later runs only open it.
 */
public final class DemoKnowledgeBase {

    /** Documents in the sample knowledge base. */
    public static final int DOCUMENTS = 24;

    private static final long SEED = 20261122L;

    private DemoKnowledgeBase() {}

    /** The generated documents as {file name, Markdown text} pairs (deterministic). */
    public static List<String[]> documents() {
        List<String[]> docs = new java.util.ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (long i = 0; docs.size() < DOCUMENTS; i++) {
            String[] doc = GroundedQuestions.document(new Draw(Curriculum.random(SEED, i)));
            if (names.add(doc[0])) docs.add(doc);
        }
        return docs;
    }

    /**
     * Writes the documents under {@code home/docs} and ingests them into the knowledge base {@code home/index}
     * (nothing is re-embedded when they are unchanged).
     *
     * @return the knowledge base folder
     */
    public static Path ensure(Path home) {
        Path docs = home.resolve("docs");
        Path index = home.resolve("index");
        try {
            Files.createDirectories(docs);
            for (String[] d : documents()) {
                Path f = docs.resolve(d[0]);
                if (!Files.isRegularFile(f) || !Files.readString(f, StandardCharsets.UTF_8).equals(d[1])) {
                    Files.writeString(f, d[1], StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo knowledge base under " + home + ": " + e.getMessage(), e);
        }
        try (KnowledgeBase kb = KnowledgeBase.open(index)) {
            kb.ingest(List.of(docs), IngestListener.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot index the demo knowledge base in " + index + ": " + e.getMessage(), e);
        }
        return index;
    }

    /** {@code ~/.dca/demo-kb}. */
    public static Path defaultHome() {
        return Path.of(System.getProperty("user.home"), ".dca", "demo-kb");
    }
}
