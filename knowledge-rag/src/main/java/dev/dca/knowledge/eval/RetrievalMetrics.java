package dev.dca.knowledge.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** nDCG@k and recall@k as BEIR computes them (trec_eval's {@code ndcg_cut} with graded gains, linear). */
public final class RetrievalMetrics {

    private RetrievalMetrics() {}

    /** @param ranked document ids, most relevant first; @param relevant id -> graded relevance (> 0 relevant) */
    public static double ndcg(List<String> ranked, Map<String, Integer> relevant, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranked.size()); i++) {
            int rel = relevant.getOrDefault(ranked.get(i), 0);
            if (rel > 0) dcg += rel / log2(i + 2);
        }
        List<Integer> gains = new ArrayList<>();
        for (int g : relevant.values()) if (g > 0) gains.add(g);
        gains.sort(Collections.reverseOrder());
        double idcg = 0;
        for (int i = 0; i < Math.min(k, gains.size()); i++) idcg += gains.get(i) / log2(i + 2);
        return idcg == 0 ? 0 : dcg / idcg;
    }

    public static double recall(List<String> ranked, Map<String, Integer> relevant, int k) {
        long total = relevant.values().stream().filter(g -> g > 0).count();
        if (total == 0) return 0;
        int found = 0;
        for (int i = 0; i < Math.min(k, ranked.size()); i++) if (relevant.getOrDefault(ranked.get(i), 0) > 0) found++;
        return (double) found / total;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
