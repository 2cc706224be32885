package dev.dca.knowledge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Merges a BM25 and a dense result list (each most relevant first) into one, most relevant first. */
final class HybridFusion {

    /** The usual RRF constant (Cormack et al. 2009). */
    static final int RRF_K = 60;

    private HybridFusion() {}

    record Scored(String key, double score) {}

    static List<Scored> fuse(List<Scored> bm25, List<Scored> dense, Fusion fusion, double denseWeight) {
        Map<String, Double> fused = new LinkedHashMap<>();
        switch (fusion) {
            case RRF -> {
                for (int i = 0; i < bm25.size(); i++) fused.merge(bm25.get(i).key(), 1.0 / (RRF_K + i + 1), Double::sum);
                for (int i = 0; i < dense.size(); i++) fused.merge(dense.get(i).key(), 1.0 / (RRF_K + i + 1), Double::sum);
            }
            case NORMALIZED -> {
                addNormalized(fused, bm25, 1 - denseWeight);
                addNormalized(fused, dense, denseWeight);
            }
        }
        List<Scored> out = new ArrayList<>(fused.size());
        fused.forEach((k, v) -> out.add(new Scored(k, v)));
        out.sort(Comparator.comparingDouble(Scored::score).reversed());
        return out;
    }

    private static void addNormalized(Map<String, Double> into, List<Scored> list, double weight) {
        if (list.isEmpty()) return;
        double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        for (Scored s : list) {
            max = Math.max(max, s.score());
            min = Math.min(min, s.score());
        }
        double range = max - min;
        for (Scored s : list) {
            double norm = range > 0 ? (s.score() - min) / range : 1.0;
            into.merge(s.key(), weight * norm, Double::sum);
        }
    }
}
