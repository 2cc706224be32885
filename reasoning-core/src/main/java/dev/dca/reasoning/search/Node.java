package dev.dca.reasoning.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a search tree: a scratchpad step, a whole chain, a draft or a critique. Mutable only through the
 * search that owns it (visit counts and values change as MCTS backs up); {@link dev.dca.reasoning.trace.TraceNode}
 * is its immutable snapshot.
 */
public final class Node {

    public enum Kind { ROOT, STEP, CHAIN, DIRECT, DRAFT, CRITIQUE }

    private final int id;
    private final Node parent;
    private final Kind kind;
    private final String text;
    private final String prefix;
    private final int tokens;
    private final int depth;
    private final List<Node> children = new ArrayList<>();
    private final Map<String, Double> scores = new LinkedHashMap<>();
    private String answer;
    private boolean terminal;
    private double score = Double.NaN;
    private double prior = 1;
    private int visits;
    private double valueSum;

    Node(int id, Node parent, Kind kind, String text, String prefix, int tokens) {
        this.id = id;
        this.parent = parent;
        this.kind = kind;
        this.text = text;
        this.prefix = prefix;
        this.tokens = tokens;
        this.depth = parent == null ? 0 : parent.depth + 1;
        if (parent != null) parent.children.add(this);
    }

    public int id() { return id; }
    public Node parent() { return parent; }
    public Kind kind() { return kind; }
    /** This node's own text (one step, or a whole chain). */
    public String text() { return text; }
    /** The assistant's scratchpad up to and including this node: the prefix its children continue. */
    public String prefix() { return prefix; }
    public int tokens() { return tokens; }
    public int depth() { return depth; }
    public List<Node> children() { return Collections.unmodifiableList(children); }
    public Map<String, Double> scores() { return Collections.unmodifiableMap(scores); }
    /** The final answer this node reached, or null. */
    public String answer() { return answer; }
    public boolean terminal() { return terminal; }
    /** This node's own score in [0, 1] (NaN: not scored). */
    public double score() { return score; }
    public double prior() { return prior; }
    public int visits() { return visits; }
    public double valueSum() { return valueSum; }

    /** Mean backed-up value, or NaN before the first visit. */
    public double value() {
        return visits == 0 ? Double.NaN : valueSum / visits;
    }

    void putScore(String name, double s) { scores.put(name, s); }
    void score(double s) { score = s; }
    void prior(double p) { prior = p; }
    void answer(String a) { answer = a; }
    void terminal(boolean t) { terminal = t; }

    void visit(double v) {
        assert v >= 0 && v <= 1 : "value out of [0,1]: " + v;
        visits++;
        valueSum += v;
    }

    /** Steps from the root to here (texts of the non-root ancestors, root first). */
    public List<String> path() {
        List<String> out = new ArrayList<>();
        for (Node n = this; n != null && n.kind != Kind.ROOT; n = n.parent) out.add(n.text);
        Collections.reverse(out);
        return out;
    }

    /** Mean of the scored nodes on the path from the root; 0.5 when none is scored. */
    public double pathScore() {
        double sum = 0;
        int k = 0;
        for (Node n = this; n != null; n = n.parent) {
            if (!Double.isNaN(n.score)) {
                sum += n.score;
                k++;
            }
        }
        return k == 0 ? 0.5 : sum / k;
    }

    @Override
    public String toString() {
        return "Node[" + id + " " + kind + " depth=" + depth + " '" + text + "']";
    }
}
