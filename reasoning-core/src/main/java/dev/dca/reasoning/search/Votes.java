package dev.dca.reasoning.search;

import dev.dca.reasoning.eval.AnswerNormalizer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Weighted votes over answers, keyed by their normalised form; ties go to the answer that was voted first. */
public final class Votes {

    private final Map<String, Double> weight = new LinkedHashMap<>();
    private final Map<String, Node> best = new LinkedHashMap<>();
    private final Map<String, Double> bestScore = new LinkedHashMap<>();
    private int count;

    /** Adds a vote of {@code w} for {@code node}'s answer; the highest-scored node stands for its answer. */
    public void add(Node node, double w, double score) {
        if (node.answer() == null) return;
        String key = AnswerNormalizer.normalize(node.answer());
        weight.merge(key, w, Double::sum);
        if (!bestScore.containsKey(key) || score > bestScore.get(key)) {
            bestScore.put(key, score);
            best.put(key, node);
        }
        count++;
    }

    public int count() { return count; }
    public boolean isEmpty() { return weight.isEmpty(); }
    public Map<String, Double> weights() { return Map.copyOf(weight); }

    public String leader() {
        String lead = null;
        for (var e : weight.entrySet()) if (lead == null || e.getValue() > weight.get(lead)) lead = e.getKey();
        return lead;
    }

    public double leaderWeight() {
        String l = leader();
        return l == null ? 0 : weight.get(l);
    }

    public double runnerUpWeight() {
        String l = leader();
        double r = 0;
        for (var e : weight.entrySet()) if (!e.getKey().equals(l)) r = Math.max(r, e.getValue());
        return r;
    }

    public double total() {
        return weight.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public Node leaderNode() {
        String l = leader();
        return l == null ? null : best.get(l);
    }

    /** The outcome of the vote: the leader, its share of the weight as confidence. */
    public Outcome outcome(double bestScore) {
        Node n = leaderNode();
        if (n == null) return new Outcome(null, null, Map.of(), 0, bestScore);
        double total = total();
        return new Outcome(n.answer(), n, weights(), total > 0 ? leaderWeight() / total : 0, bestScore);
    }
}
