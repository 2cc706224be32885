package dev.dca.knowledge.eval;

import dev.dca.knowledge.Fusion;
import dev.dca.knowledge.IngestListener;
import dev.dca.knowledge.IngestOptions;
import dev.dca.knowledge.IngestReport;
import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.SearchHit;
import dev.dca.knowledge.SearchMode;
import dev.dca.knowledge.SearchRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Indexes a BEIR corpus into a knowledge base (each corpus entry a source, chunked like any file) and scores
 * retrieval: a document's rank is that of its best chunk; nDCG@10 and recall@100 averaged over the judged queries.
 */
public final class BeirEvaluator {

    /** Chunks fetched per query so that at least 100 distinct documents remain after grouping by document. */
    private static final int CHUNKS_PER_QUERY = 300;

    private final KnowledgeBase kb;
    private final BeirDataset data;

    public BeirEvaluator(KnowledgeBase kb, BeirDataset data) {
        this.kb = kb;
        this.data = data;
    }

    /** Ingests the corpus (incremental: an already indexed, unchanged corpus costs only hashing). */
    public IngestReport index(IngestOptions options, IngestListener listener) throws IOException {
        return kb.ingestDocuments(data.corpus(), options, listener);
    }

    public BeirResult evaluate(SearchMode mode, Fusion fusion, double denseWeight, IngestReport indexing)
            throws IOException {
        double ndcg = 0, recall = 0;
        double[] millis = new double[data.queries().size()];
        int q = 0;
        for (Map.Entry<String, String> query : data.queries().entrySet()) {
            SearchRequest request = SearchRequest.builder(query.getValue()).mode(mode).k(CHUNKS_PER_QUERY)
                    .fusion(fusion).denseWeight(denseWeight).build();
            long t0 = System.nanoTime();
            List<SearchHit> hits = kb.search(request);
            millis[q] = (System.nanoTime() - t0) / 1e6;
            Set<String> docs = new LinkedHashSet<>();
            for (SearchHit h : hits) docs.add(h.source());
            List<String> ranked = new ArrayList<>(docs);
            Map<String, Integer> rel = data.qrels().get(query.getKey());
            ndcg += RetrievalMetrics.ndcg(ranked, rel, 10);
            recall += RetrievalMetrics.recall(ranked, rel, 100);
            q++;
        }
        Arrays.sort(millis);
        int n = Math.max(1, q);
        return new BeirResult(mode.label() + (mode == SearchMode.HYBRID ? "/" + fusion.name().toLowerCase() : ""),
                ndcg / n, recall / n, q, data.corpus().size(), kb.stats().chunks(), indexing.seconds(),
                percentile(millis, 50), percentile(millis, 99));
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
