package dev.dca.knowledge;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

/**
 * A knowledge base: one Lucene index on disk holding chunks (BM25 text, HNSW vector, stored metadata) and the
 * manifest of ingested files. The facade the router and the CLI use.
 *
 * <p>Reading never locks: any number of processes can search while one ingests, and each search sees the latest
 * commit. Writing ({@link #ingest}, {@link #remove}) takes Lucene's write lock for the duration of the call; a second
 * writer gets a {@link KnowledgeBaseLockedException}. Each file is replaced as one block (its chunks plus its
 * manifest entry), and commits are atomic, so after a crash the index holds exactly the files of the last commit and
 * a re-run ingests the rest.
 *
 * <p>Thread-safe.
 */
public final class KnowledgeBase implements Closeable {

    private final Path dir;
    private final Directory directory;
    private final Embedder embedder;
    private final SearcherManager searchers;
    private final Object writeLock = new Object();

    /** Embeds hybrid queries beside the BM25 search; daemon threads, so they never keep the JVM alive. */
    private static final ExecutorService QUERY_EMBEDDING = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dca-kb-query-embedding");
        t.setDaemon(true);
        return t;
    });

    /**
     * Searches an index's segments in parallel (Lucene hands each segment's HNSW graph and postings to this pool),
     * so a query's latency does not grow with the number of segments on a multi-core machine.
     */
    private static final ExecutorService SEGMENT_SEARCH = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "dca-kb-segment-search");
                t.setDaemon(true);
                return t;
            });

    private KnowledgeBase(Path dir, Directory directory, Embedder embedder) throws IOException {
        this.dir = dir;
        this.directory = directory;
        this.embedder = embedder;
        this.searchers = new SearcherManager(directory, new org.apache.lucene.search.SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(org.apache.lucene.index.IndexReader reader, org.apache.lucene.index.IndexReader previous) {
                return new IndexSearcher(reader, SEGMENT_SEARCH);
            }
        });
    }

    /** {@code $DCA_KB} if set, else {@code ~/.dca/kb}. */
    public static Path defaultDirectory() {
        String env = System.getenv("DCA_KB");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".dca", "kb");
    }

    /** Whether {@code dir} holds a knowledge base (an index was committed there). */
    public static boolean exists(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Directory directory = FSDirectory.open(dir)) {
            return DirectoryReader.indexExists(directory);
        }
    }

    /** Opens (creating if needed) the knowledge base in {@code dir} with the bundled all-MiniLM-L6-v2. */
    public static KnowledgeBase open(Path dir) throws IOException {
        return open(dir, Embedder.allMiniLmL6V2());
    }

    public static KnowledgeBase open(Path dir, Embedder embedder) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir))
            throw new IOException("knowledge base " + dir + " is not a folder");
        Files.createDirectories(dir);
        Directory directory = FSDirectory.open(dir);
        try {
            if (!DirectoryReader.indexExists(directory)) {
                try (IndexWriter w = openWriter(dir, directory)) {
                    w.setLiveCommitData(commitData(embedder).entrySet());
                    w.commit();
                }
            }
            checkCompatible(dir, directory, embedder);
            return new KnowledgeBase(dir, directory, embedder);
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    private static Map<String, String> commitData(Embedder embedder) {
        return Map.of(
                KbSchema.KEY_FORMAT, KbSchema.FORMAT,
                KbSchema.KEY_VERSION, Integer.toString(KbSchema.VERSION),
                KbSchema.KEY_MODEL, embedder.name(),
                KbSchema.KEY_DIMENSION, Integer.toString(embedder.dimension()));
    }

    private static void checkCompatible(Path dir, Directory directory, Embedder embedder) throws IOException {
        Map<String, String> data = SegmentInfos.readLatestCommit(directory).getUserData();
        if (!KbSchema.FORMAT.equals(data.get(KbSchema.KEY_FORMAT)))
            throw new IllegalStateException(dir + " holds a Lucene index that is not a dca knowledge base");
        String version = data.get(KbSchema.KEY_VERSION);
        if (!Integer.toString(KbSchema.VERSION).equals(version))
            throw new IllegalStateException("knowledge base " + dir + " has format version " + version
                    + "; this dca reads version " + KbSchema.VERSION);
        String model = data.get(KbSchema.KEY_MODEL);
        String dim = data.get(KbSchema.KEY_DIMENSION);
        if (!embedder.name().equals(model) || !Integer.toString(embedder.dimension()).equals(dim))
            throw new IllegalStateException("knowledge base " + dir + " was built with embedding model " + model + " ("
                    + dim + " dims), not " + embedder.name() + " (" + embedder.dimension() + " dims); re-ingest into a new folder");
    }

    private static IndexWriter openWriter(Path dir, Directory directory) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig(KbSchema.analyzer());
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        config.setRAMBufferSizeMB(128);
        config.setCommitOnClose(false); // only our explicit commits count; an aborted ingest rolls back to the last one
        try {
            return new IndexWriter(directory, config);
        } catch (LockObtainFailedException e) {
            throw new KnowledgeBaseLockedException(dir.toString(), e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** The model that embeds chunks and queries, for callers that need the same vectors (/v1/embeddings). */
    public Embedder embedder() {
        return embedder;
    }

    // ---------------------------------------------------------------------------------------------- ingestion

    public IngestReport ingest(List<Path> paths, IngestListener listener) throws IOException {
        return ingest(paths, IngestOptions.defaults(), listener);
    }

    /**
     * Ingests files and folders (recursively; hidden files and folders are left out, and in folders only
     * {@link DocumentParser#SUPPORTED_TYPES}). Unchanged files (same SHA-256) are skipped, changed ones replaced;
     * unreadable, encrypted or corrupt files are skipped with a {@link IngestListener#warning}.
     *
     * @throws NoSuchFileException if a path does not exist (checked before anything is written)
     */
    public IngestReport ingest(List<Path> paths, IngestOptions options, IngestListener listener) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "no such file or folder");
        }
        for (Path p : paths) collect(p.toAbsolutePath().normalize(), files);
        listener.started(files.size());
        DocumentParser parser = new DocumentParser();
        Iterator<Path> it = files.iterator();
        Iterator<Candidate> candidates = new Iterator<>() {
            public boolean hasNext() { return it.hasNext(); }
            public Candidate next() { return fileCandidate(it.next(), parser); }
        };
        return runIngest(candidates, options, listener);
    }

    /** Ingests texts that are not files (identified by {@link SourceDocument#source()}), with the same rules. */
    public IngestReport ingestDocuments(Iterable<SourceDocument> documents, IngestOptions options,
            IngestListener listener) throws IOException {
        Iterator<SourceDocument> it = documents.iterator();
        Iterator<Candidate> candidates = new Iterator<>() {
            public boolean hasNext() { return it.hasNext(); }
            public Candidate next() {
                SourceDocument d = it.next();
                byte[] bytes = d.text().getBytes(StandardCharsets.UTF_8);
                return new Candidate(d.source(), null, d.fileType(), bytes.length, sha256(d.title() + "\u0000" + d.text()),
                        d::toParsed);
            }
        };
        return runIngest(candidates, options, listener);
    }

    private static void collect(Path p, List<Path> into) throws IOException {
        if (Files.isRegularFile(p)) {
            into.add(p);
            return;
        }
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return !d.equals(p) && d.getFileName().toString().startsWith(".") ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !f.getFileName().toString().startsWith(".")
                        && DocumentParser.SUPPORTED_TYPES.contains(
                                f.getFileName().toString().substring(f.getFileName().toString().lastIndexOf('.') + 1)
                                        .toLowerCase(java.util.Locale.ROOT)))
                    found.add(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE; // unreadable entries are skipped; the walk goes on
            }
        });
        found.sort(null);
        into.addAll(found);
    }

    /** Something to ingest: its hash is cheap to get, its parse is deferred until we know it changed. */
    private record Candidate(String source, Path file, String type, long bytes, String hash, Parse parse) {}

    @FunctionalInterface
    private interface Parse {
        ParsedDocument get() throws IOException;
    }

    private static Candidate fileCandidate(Path file, DocumentParser parser) {
        String source = file.toString();
        try {
            long bytes = Files.size(file);
            return new Candidate(source, file, DocumentParser.fileType(file), bytes, sha256(file),
                    () -> parser.parse(file, source));
        } catch (IOException e) {
            return new Candidate(source, file, DocumentParser.fileType(file), 0, null, () -> {
                throw new IOException(file + ": cannot read (" + e.getMessage() + "), skipped");
            });
        }
    }

    /** A parsed, chunked file waiting for its embeddings. */
    private record Pending(Candidate candidate, IngestOutcome outcome, ParsedDocument doc, List<Chunk> chunks) {}

    private IngestReport runIngest(Iterator<Candidate> candidates, IngestOptions options, IngestListener listener)
            throws IOException {
        long t0 = System.nanoTime();
        Chunker chunker = new Chunker(options.chunkSize(), options.overlap());
        int[] counts = new int[IngestOutcome.values().length];
        int chunksWritten = 0;
        long[] embedNanos = {0};
        synchronized (writeLock) {
            try (IndexWriter writer = openWriter(dir, directory)) {
                writer.setLiveCommitData(commitData(embedder).entrySet());
                Map<String, String[]> manifest = manifest();
                String chunking = options.chunkSize() + "/" + options.overlap();
                List<Pending> pending = new ArrayList<>();
                int pendingChunks = 0;
                int filesSinceCommit = 0, filesDone = 0;
                long lastCommit = System.nanoTime();
                while (candidates.hasNext()) {
                    Candidate c = candidates.next();
                    String[] old = manifest.get(c.source());
                    // unchanged = same content, split the same way (records without chunking predate it: defaults)
                    if (old != null && c.hash() != null && c.hash().equals(old[0])
                            && chunking.equals(old[1] == null ? IngestOptions.DEFAULT_CHUNK_SIZE + "/" + IngestOptions.DEFAULT_OVERLAP : old[1])) {
                        counts[IngestOutcome.UNCHANGED.ordinal()]++;
                        filesDone++;
                        listener.fileDone(c.source(), IngestOutcome.UNCHANGED, -1);
                        continue;
                    }
                    ParsedDocument doc;
                    try {
                        doc = c.parse().get();
                    } catch (IOException e) {
                        counts[IngestOutcome.SKIPPED.ordinal()]++;
                        filesDone++;
                        listener.warning(c.file(), e.getMessage());
                        listener.fileDone(c.source(), IngestOutcome.SKIPPED, 0);
                        continue;
                    }
                    List<Chunk> chunks = chunker.chunk(doc);
                    pending.add(new Pending(c, old == null ? IngestOutcome.ADDED : IngestOutcome.UPDATED, doc, chunks));
                    pendingChunks += chunks.size();
                    if (pendingChunks >= options.embedBatch()) {
                        int[] r = flush(writer, pending, chunking, counts, listener, embedNanos);
                        chunksWritten += r[0];
                        filesSinceCommit += r[1];
                        filesDone += r[1];
                        pending.clear();
                        pendingChunks = 0;
                        if (filesSinceCommit >= options.commitEveryFiles()
                                || System.nanoTime() - lastCommit >= options.commitInterval().toNanos()) {
                            writer.commit();
                            lastCommit = System.nanoTime();
                            filesSinceCommit = 0;
                            listener.committed(filesDone, chunksWritten);
                            searchers.maybeRefresh();
                        }
                    }
                }
                int[] r = flush(writer, pending, chunking, counts, listener, embedNanos);
                chunksWritten += r[0];
                filesDone += r[1];
                writer.commit();
                listener.committed(filesDone, chunksWritten);
            }
        }
        searchers.maybeRefreshBlocking();
        return new IngestReport(counts[IngestOutcome.ADDED.ordinal()], counts[IngestOutcome.UPDATED.ordinal()],
                counts[IngestOutcome.UNCHANGED.ordinal()], counts[IngestOutcome.SKIPPED.ordinal()], chunksWritten,
                (System.nanoTime() - t0) / 1e9, embedNanos[0] / 1e9);
    }

    /** Embeds all pending chunks in one batch and writes each file as one block. Returns {chunks, files}. */
    private int[] flush(IndexWriter writer, List<Pending> pending, String chunking, int[] counts, IngestListener listener,
            long[] embedNanos) throws IOException {
        List<String> texts = new ArrayList<>();
        for (Pending p : pending) for (Chunk c : p.chunks()) texts.add(embeddingText(p.doc(), c));
        long t0 = System.nanoTime();
        float[][] vectors = embedder.embed(texts);
        embedNanos[0] += System.nanoTime() - t0;
        if (vectors.length != texts.size())
            throw new IllegalStateException("embedder returned " + vectors.length + " vectors for " + texts.size() + " texts");
        int v = 0, chunks = 0;
        for (Pending p : pending) {
            float[][] mine = new float[p.chunks().size()][];
            for (int i = 0; i < mine.length; i++) mine[i] = vectors[v++];
            Candidate c = p.candidate();
            writer.updateDocuments(KbSchema.pathTerm(c.source()),
                    KbSchema.fileBlock(c.source(), c.type(), p.doc().title(), c.hash(), chunking, c.bytes(), p.chunks(), mine));
            counts[p.outcome().ordinal()]++;
            chunks += mine.length;
            listener.fileDone(c.source(), p.outcome(), mine.length);
        }
        return new int[] {chunks, pending.size()};
    }

    /** What gets embedded: the title gives every chunk of a long file its context. */
    static String embeddingText(ParsedDocument doc, Chunk chunk) {
        String title = doc.title();
        return title == null || title.equals(doc.source()) ? chunk.text() : title + "\n" + chunk.text();
    }

    /** source -> {content hash, chunking} of every file in the latest commit. */
    private Map<String, String[]> manifest() throws IOException {
        Map<String, String[]> out = new HashMap<>();
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher s = new IndexSearcher(reader);
            TermQuery files = new TermQuery(new Term(KbSchema.KIND, KbSchema.KIND_FILE));
            StoredFields stored = s.storedFields();
            for (ScoreDoc sd : s.search(files, Math.max(1, reader.maxDoc())).scoreDocs) {
                Document d = stored.document(sd.doc, Set.of(KbSchema.PATH, KbSchema.HASH, KbSchema.CHUNKING));
                out.put(d.get(KbSchema.PATH), new String[] {d.get(KbSchema.HASH), d.get(KbSchema.CHUNKING)});
            }
        }
        return out;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    // ---------------------------------------------------------------------------------------------- removal

    /**
     * Removes a file, or every file under a folder, from the knowledge base. Relative paths are resolved against
     * the working directory, as on ingest; a source that is not a file path (a BEIR id) is matched as given.
     *
     * @return how many files were removed (0 if none matched)
     */
    public int remove(String pathOrSource) throws IOException {
        List<String> keys = new ArrayList<>(List.of(pathOrSource));
        try {
            String abs = Path.of(pathOrSource).toAbsolutePath().normalize().toString();
            if (!abs.equals(pathOrSource)) keys.add(abs);
        } catch (java.nio.file.InvalidPathException ignored) {
            // not a path: match the source as given
        }
        synchronized (writeLock) {
            Set<String> matched = new TreeSet<>();
            for (String source : manifest().keySet())
                for (String key : keys)
                    if (source.equals(key) || source.startsWith(key.endsWith("/") ? key : key + "/")) matched.add(source);
            if (matched.isEmpty()) return 0;
            try (IndexWriter writer = openWriter(dir, directory)) {
                writer.setLiveCommitData(commitData(embedder).entrySet());
                for (String source : matched) writer.deleteDocuments(KbSchema.pathTerm(source));
                writer.commit();
            }
            searchers.maybeRefreshBlocking();
            return matched.size();
        }
    }

    // ---------------------------------------------------------------------------------------------- search

    /** Runs a search against the latest commit; hits most relevant first, at most {@code k}. */
    public List<SearchHit> search(SearchRequest request) throws IOException {
        searchers.maybeRefresh();
        IndexSearcher searcher = searchers.acquire();
        try {
            Query filter = filter(request);
            int n = request.mode() == SearchMode.HYBRID ? request.candidates() : request.k();
            List<HybridFusion.Scored> ranked = switch (request.mode()) {
                case BM25 -> bm25(searcher, request.query(), filter, n);
                case DENSE -> dense(searcher, embedder.embed(request.query()), filter, n);
                case HYBRID -> {
                    // The query embedding is the slowest step: compute it while BM25 runs on this thread.
                    CompletableFuture<float[]> vector = CompletableFuture.supplyAsync(
                            () -> embedder.embed(request.query()), QUERY_EMBEDDING);
                    List<HybridFusion.Scored> lexical = bm25(searcher, request.query(), filter, n);
                    yield HybridFusion.fuse(lexical, dense(searcher, join(vector), filter, n), request.fusion(),
                            request.denseWeight());
                }
            };
            List<SearchHit> hits = new ArrayList<>(Math.min(request.k(), ranked.size()));
            StoredFields stored = searcher.storedFields();
            for (HybridFusion.Scored s : ranked) {
                if (hits.size() == request.k()) break;
                hits.add(hit(stored.document(Integer.parseInt(s.key())), s.score()));
            }
            return hits;
        } finally {
            searchers.release(searcher);
        }
    }

    private static float[] join(CompletableFuture<float[]> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IOException(e.getCause());
        }
    }

    /** Dense search with a precomputed query vector (the EmbeddingStore path). */
    List<SearchHit> searchByVector(float[] vector, int k, Query extraFilter) throws IOException {
        searchers.maybeRefresh();
        IndexSearcher searcher = searchers.acquire();
        try {
            List<HybridFusion.Scored> ranked = dense(searcher, vector, extraFilter, k);
            List<SearchHit> hits = new ArrayList<>(ranked.size());
            StoredFields stored = searcher.storedFields();
            for (HybridFusion.Scored s : ranked) hits.add(hit(stored.document(Integer.parseInt(s.key())), s.score()));
            return hits;
        } finally {
            searchers.release(searcher);
        }
    }

    private static Query filter(SearchRequest request) {
        if (request.pathPrefix() == null && request.fileTypes().isEmpty()) return null;
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (request.pathPrefix() != null) b.add(new PrefixQuery(new Term(KbSchema.PATH, request.pathPrefix())), BooleanClause.Occur.FILTER);
        if (!request.fileTypes().isEmpty()) {
            List<BytesRef> types = request.fileTypes().stream().map(BytesRef::new).toList();
            b.add(new TermInSetQuery(KbSchema.TYPE, types), BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    private static List<HybridFusion.Scored> bm25(IndexSearcher searcher, String text, Query filter, int n)
            throws IOException {
        Query q = new QueryBuilder(KbSchema.analyzer()).createBooleanQuery(KbSchema.CONTENT, text);
        if (q == null) return List.of(); // only stop words
        if (filter != null) {
            q = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER).build();
        }
        return scored(searcher.search(q, n).scoreDocs);
    }

    private static List<HybridFusion.Scored> dense(IndexSearcher searcher, float[] vector, Query filter, int n)
            throws IOException {
        return scored(searcher.search(new KnnFloatVectorQuery(KbSchema.VECTOR, vector, n, filter), n).scoreDocs);
    }

    private static List<HybridFusion.Scored> scored(ScoreDoc[] docs) {
        List<HybridFusion.Scored> out = new ArrayList<>(docs.length);
        for (ScoreDoc d : docs) out.add(new HybridFusion.Scored(Integer.toString(d.doc), d.score));
        return out;
    }

    private static SearchHit hit(Document d, double score) {
        var page = d.getField(KbSchema.PAGE);
        Location loc = new Location(page == null ? null : page.numericValue().intValue(), d.get(KbSchema.SECTION),
                d.getField(KbSchema.START).numericValue().intValue(), d.getField(KbSchema.END).numericValue().intValue());
        return new SearchHit(d.get(KbSchema.ID), score, d.get(KbSchema.PATH), d.get(KbSchema.TITLE), d.get(KbSchema.TYPE),
                loc, d.get(KbSchema.TEXT));
    }

    // ---------------------------------------------------------------------------------------------- stats

    public KbStats stats() throws IOException {
        searchers.maybeRefresh();
        IndexSearcher s = searchers.acquire();
        try {
            int files = s.count(new TermQuery(new Term(KbSchema.KIND, KbSchema.KIND_FILE)));
            int chunks = s.count(new TermQuery(new Term(KbSchema.KIND, KbSchema.KIND_CHUNK)));
            Map<String, Integer> byType = new TreeMap<>();
            Set<String> types = new TreeSet<>();
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                Terms terms = leaf.reader().terms(KbSchema.TYPE);
                if (terms == null) continue;
                TermsEnum te = terms.iterator();
                for (BytesRef t; (t = te.next()) != null; ) types.add(t.utf8ToString());
            }
            for (String t : types) {
                int n = s.count(new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(KbSchema.KIND, KbSchema.KIND_CHUNK)), BooleanClause.Occur.FILTER)
                        .add(new TermQuery(new Term(KbSchema.TYPE, t)), BooleanClause.Occur.FILTER)
                        .build());
                if (n > 0) byType.put(t.isEmpty() ? "(none)" : t, n);
            }
            long bytes = 0;
            for (String f : directory.listAll()) {
                try {
                    bytes += directory.fileLength(f);
                } catch (NoSuchFileException ignored) {
                    // deleted by a concurrent merge
                }
            }
            return new KbStats(dir.toString(), files, chunks, bytes, byType, embedder.name(), embedder.dimension());
        } finally {
            searchers.release(s);
        }
    }

    /** Sources (files) in the latest commit, sorted. */
    public List<String> sources() throws IOException {
        return new ArrayList<>(new TreeSet<>(manifest().keySet()));
    }

    // ---------------------------------------------------------------------------------------------- langchain4j

    /** This knowledge base as a langchain4j {@code EmbeddingStore<TextSegment>} (same index, same embedder). */
    public LuceneEmbeddingStore embeddingStore() {
        return new LuceneEmbeddingStore(this);
    }

    /** A langchain4j {@code ContentRetriever} running {@code template}'s settings with each query's text. */
    public KnowledgeBaseContentRetriever contentRetriever(SearchRequest template) {
        return new KnowledgeBaseContentRetriever(this, template);
    }

    /** Runs {@code work} with the write lock held; for the EmbeddingStore adapter. Commits when work returns. */
    <T> T write(WriteWork<T> work) throws IOException {
        T result;
        synchronized (writeLock) {
            try (IndexWriter writer = openWriter(dir, directory)) {
                writer.setLiveCommitData(commitData(embedder).entrySet());
                result = work.apply(writer);
                writer.commit();
            }
        }
        searchers.maybeRefreshBlocking();
        return result;
    }

    /** Runs {@code work} on a searcher of the latest commit. */
    <T> T read(ReadWork<T> work) throws IOException {
        searchers.maybeRefresh();
        IndexSearcher s = searchers.acquire();
        try {
            return work.apply(s);
        } finally {
            searchers.release(s);
        }
    }

    @FunctionalInterface
    interface WriteWork<T> {
        T apply(IndexWriter writer) throws IOException;
    }

    @FunctionalInterface
    interface ReadWork<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    /** Reads the stored vector of one document (null if it has none). */
    static float[] vectorOf(IndexSearcher searcher, int docId) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(docId, leaves));
        LeafReader reader = leaf.reader();
        var values = reader.getFloatVectorValues(KbSchema.VECTOR);
        if (values == null) return null;
        var it = values.iterator();
        int local = docId - leaf.docBase;
        if (it.advance(local) != local) return null;
        return values.vectorValue(it.index()).clone();
    }

    @Override
    public void close() throws IOException {
        try {
            searchers.close();
        } finally {
            directory.close();
        }
    }

}
