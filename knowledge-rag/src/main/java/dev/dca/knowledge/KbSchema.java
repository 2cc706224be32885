package dev.dca.knowledge;

import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The one Lucene index of a knowledge base. Two kinds of documents share it, so that a file and its chunks are
 * replaced in one atomic {@code updateDocuments} block and commit together:
 *
 * <ul>
 *   <li>chunk: {@code kind=chunk}, {@code id}, {@code path} (source), {@code type}, stored {@code title},
 *       {@code text}, {@code page}, {@code section}, {@code start}, {@code end}, {@code meta} (langchain4j metadata
 *       as JSON, for segments added through the EmbeddingStore); {@code content} = title + text, analysed with
 *       English stemming for BM25; {@code vec}, the HNSW vector (cosine).
 *   <li>file (the manifest entry): {@code kind=file}, {@code path}, {@code type}, stored {@code hash} (SHA-256 of
 *       the content), {@code chunking} (size/overlap it was split with), {@code chunks}, {@code bytes}.
 * </ul>
 *
 * Commit user data records {@link #FORMAT}/{@link #VERSION}, the embedding model and its dimension, checked on open.
 */
final class KbSchema {

    static final String FORMAT = "dca-kb";
    static final int VERSION = 1;
    static final String KEY_FORMAT = "format";
    static final String KEY_VERSION = "version";
    static final String KEY_MODEL = "embedding.model";
    static final String KEY_DIMENSION = "embedding.dimension";

    static final String KIND = "kind";
    static final String KIND_CHUNK = "chunk";
    static final String KIND_FILE = "file";
    static final String ID = "id";
    static final String PATH = "path";
    static final String TYPE = "type";
    static final String TITLE = "title";
    static final String TEXT = "text";
    static final String CONTENT = "content";
    static final String VECTOR = "vec";
    static final String PAGE = "page";
    static final String SECTION = "section";
    static final String START = "start";
    static final String END = "end";
    static final String META = "meta";
    static final String HASH = "hash";
    static final String CHUNKS = "chunks";
    static final String BYTES = "bytes";
    static final String CHUNKING = "chunking";

    private KbSchema() {}

    static Analyzer analyzer() {
        return new EnglishAnalyzer();
    }

    static Term pathTerm(String source) {
        return new Term(PATH, source);
    }

    static Document chunkDocument(String id, String source, String type, String title, Chunk chunk, float[] vector,
            String metaJson) {
        Document d = new Document();
        d.add(new StringField(KIND, KIND_CHUNK, Field.Store.NO));
        d.add(new StringField(ID, id, Field.Store.YES));
        d.add(new StringField(PATH, source, Field.Store.YES));
        d.add(new StringField(TYPE, type, Field.Store.YES));
        d.add(new StoredField(TITLE, title));
        d.add(new StoredField(TEXT, chunk.text()));
        d.add(new TextField(CONTENT, title.equals(source) ? chunk.text() : title + "\n" + chunk.text(), Field.Store.NO));
        d.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.COSINE));
        Location loc = chunk.location();
        if (loc.page() != null) d.add(new StoredField(PAGE, loc.page()));
        if (loc.section() != null) d.add(new StoredField(SECTION, loc.section()));
        d.add(new StoredField(START, loc.start()));
        d.add(new StoredField(END, loc.end()));
        if (metaJson != null) d.add(new StoredField(META, metaJson));
        return d;
    }

    static Document fileDocument(String source, String type, String hash, String chunking, int chunks, long bytes) {
        Document d = new Document();
        d.add(new StringField(KIND, KIND_FILE, Field.Store.NO));
        d.add(new StringField(PATH, source, Field.Store.YES));
        d.add(new StringField(TYPE, type, Field.Store.YES));
        d.add(new StoredField(HASH, hash));
        d.add(new StoredField(CHUNKING, chunking));
        d.add(new StoredField(CHUNKS, chunks));
        d.add(new StoredField(BYTES, bytes));
        return d;
    }

    /** The file's chunks followed by its manifest entry: one block for {@code IndexWriter.updateDocuments}. */
    static List<Document> fileBlock(String source, String type, String title, String hash, String chunking, long bytes,
            List<Chunk> chunks, float[][] vectors) {
        List<Document> docs = new ArrayList<>(chunks.size() + 1);
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            docs.add(chunkDocument(source + "#" + c.ordinal(), source, type, title, c, vectors[i], null));
        }
        docs.add(fileDocument(source, type, hash, chunking, chunks.size(), bytes));
        return docs;
    }
}
