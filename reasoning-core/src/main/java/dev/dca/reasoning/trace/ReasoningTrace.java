package dev.dca.reasoning.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dca.reasoning.eval.AnswerNormalizer;
import dev.dca.reasoning.search.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hidden search tree of one solve (kept in memory; never part of the visible answer). Exports as JSONL for
 * later fine-tuning: one {@code {"type":"node",...}} line per node, then one {@code {"type":"pair",...}} line per
 * chosen/rejected pair of sibling continuations.
 */
public final class ReasoningTrace {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String question;
    private final List<Node> nodes;
    private final int chosen;

    public ReasoningTrace(String question, List<Node> nodes, Node chosen) {
        this.question = question;
        this.nodes = List.copyOf(nodes);
        this.chosen = chosen == null ? -1 : chosen.id();
    }

    public String question() { return question; }

    /** Id of the node whose chain gave the answer, -1 if none. */
    public int chosenId() { return chosen; }

    public int size() { return nodes.size(); }

    /** Snapshots of all nodes; {@code gold} (may be null) marks correctness. */
    public List<TraceNode> nodes(String gold) {
        Map<Integer, Boolean> correct = correctness(gold);
        List<TraceNode> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            out.add(new TraceNode(n.id(), n.parent() == null ? -1 : n.parent().id(), n.kind().name().toLowerCase(),
                    n.depth(), n.text(), n.tokens(), n.scores(), n.score(), n.visits(), n.value(), n.answer(),
                    n.terminal(), correct.get(n.id())));
        }
        return out;
    }

    /** A node is correct when its answer matches; an inner node when any answer below it does. */
    private Map<Integer, Boolean> correctness(String gold) {
        Map<Integer, Boolean> c = new HashMap<>();
        if (gold == null) return c;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            Boolean mine = n.answer() == null ? null : AnswerNormalizer.equivalent(n.answer(), gold);
            for (Node k : n.children()) {
                Boolean kc = c.get(k.id());
                if (kc != null) mine = Boolean.TRUE.equals(mine) || kc;
            }
            if (mine != null) c.put(n.id(), mine);
        }
        return c;
    }

    /**
     * Sibling pairs: with a gold answer, a child that leads to a correct answer against one that leads only to
     * wrong ones; without, the highest- against the lowest-valued sibling when they differ by at least 0.2.
     */
    public List<PreferencePair> pairs(String gold) {
        Map<Integer, Boolean> correct = correctness(gold);
        List<PreferencePair> out = new ArrayList<>();
        for (Node p : nodes) {
            List<Node> kids = p.children().stream().filter(k -> k.kind() != Node.Kind.CRITIQUE).toList();
            if (kids.size() < 2) continue;
            if (gold != null) {
                for (Node good : kids) {
                    if (!Boolean.TRUE.equals(correct.get(good.id()))) continue;
                    for (Node bad : kids) {
                        if (Boolean.FALSE.equals(correct.get(bad.id())) && !bad.text().equals(good.text())) {
                            out.add(new PreferencePair(question, p.prefix(), good.text(), bad.text(), 1, "gold"));
                        }
                    }
                }
            } else {
                Node hi = null, lo = null;
                for (Node k : kids) {
                    double v = rank(k);
                    if (Double.isNaN(v)) continue;
                    if (hi == null || v > rank(hi)) hi = k;
                    if (lo == null || v < rank(lo)) lo = k;
                }
                if (hi != null && lo != null && rank(hi) - rank(lo) >= 0.2 && !hi.text().equals(lo.text())) {
                    out.add(new PreferencePair(question, p.prefix(), hi.text(), lo.text(), rank(hi) - rank(lo), "value"));
                }
            }
        }
        return out;
    }

    private static double rank(Node n) {
        return n.visits() > 0 ? n.value() : n.score();
    }

    /** Writes the JSONL export: node lines, then pair lines. */
    public void writeJsonl(Writer w, String gold) {
        try {
            for (TraceNode n : nodes(gold)) {
                ObjectNode o = JSON.createObjectNode();
                o.put("type", "node");
                o.put("id", n.id());
                o.put("parent", n.parent());
                o.put("kind", n.kind());
                o.put("depth", n.depth());
                o.put("text", n.text());
                o.put("tokens", n.tokens());
                ObjectNode s = o.putObject("scores");
                n.scores().forEach((k, v) -> putNumber(s, k, v));
                putNumber(o, "score", n.score());
                o.put("visits", n.visits());
                putNumber(o, "value", n.value());
                if (n.answer() != null) o.put("answer", n.answer());
                else o.putNull("answer");
                o.put("terminal", n.terminal());
                o.put("chosen", n.id() == chosen);
                if (n.correct() != null) o.put("correct", n.correct());
                else o.putNull("correct");
                w.write(JSON.writeValueAsString(o));
                w.write('\n');
            }
            for (PreferencePair p : pairs(gold)) {
                ObjectNode o = JSON.createObjectNode();
                o.put("type", "pair");
                o.put("question", p.question());
                o.put("prefix", p.prefix());
                o.put("chosen", p.chosen());
                o.put("rejected", p.rejected());
                o.put("margin", p.margin());
                o.put("reason", p.reason());
                w.write(JSON.writeValueAsString(o));
                w.write('\n');
            }
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void putNumber(ObjectNode o, String k, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) o.putNull(k);
        else o.put(k, v);
    }
}
