package dev.dca.reasoning.search;

import dev.dca.reasoning.ReasoningPrompt;
import dev.dca.reasoning.eval.AnswerNormalizer;
import dev.dca.reasoning.policy.Continuation;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mcts}: Monte-Carlo tree search over scratchpad steps with the PUCT rule
 * {@code Q(c) + cPuct * P(c) * sqrt(N(parent)) / (1 + N(c))} (unvisited children count as Q = 0.5).
 * A leaf is expanded by sampling {@code expansions} candidate steps in one batched call; each new child is valued
 * by the step scorer (mean step score on its path), by the verifier at an answer line, or, when no scorer has an
 * opinion, by a rollout to an answer (valued by agreement with the earlier rollouts); values are backed up to the
 * root. The answer follows the most visited path; if that path has no answer, the best-valued answer found.
 */
public final class Mcts implements ReasoningStrategy {

    private final int iterations;
    private final int expansions;
    private final int maxDepth;
    private final double cPuct;

    public Mcts(int iterations, int expansions, int maxDepth, double cPuct) {
        if (iterations < 1 || expansions < 1 || maxDepth < 1) throw new IllegalArgumentException(
                "iterations, expansions and maxDepth must be >= 1, got " + iterations + ", " + expansions + ", " + maxDepth);
        if (!(cPuct >= 0)) throw new IllegalArgumentException("cPuct must be >= 0, got " + cPuct);
        this.iterations = iterations;
        this.expansions = expansions;
        this.maxDepth = maxDepth;
        this.cPuct = cPuct;
    }

    @Override
    public String name() {
        return "mcts";
    }

    @Override
    public String describe() {
        return "mcts " + iterations + " iterations, " + expansions + " candidates per step, c=" + cPuct;
    }

    @Override
    public Outcome search(SearchContext ctx) {
        Node root = ctx.root();
        List<Node> terminals = new ArrayList<>();
        List<String> rolloutAnswers = new ArrayList<>();
        Node deepest = null;
        for (int it = 0; it < iterations && !ctx.exhausted(); it++) {
            Node node = root;
            while (!node.children().isEmpty() && !node.terminal()) node = select(node);
            if (node.terminal()) {
                ctx.backup(node, node.visits() == 0 ? 0 : node.value());
                continue;
            }
            if (node.depth() >= maxDepth) {
                node.terminal(true);
                ctx.backup(node, node.pathScore());
                continue;
            }
            List<Node> kids = ctx.expand(node, expansions, ctx.settings().temperature());
            if (kids.isEmpty()) break;
            setPriors(kids);
            for (Node kid : kids) {
                double v = value(ctx, kid, terminals, rolloutAnswers);
                ctx.backup(kid, v);
                if (!kid.terminal() && (deepest == null || kid.depth() > deepest.depth()
                        || kid.depth() == deepest.depth() && kid.pathScore() > deepest.pathScore())) {
                    deepest = kid;
                }
            }
        }
        return decide(ctx, terminals, deepest);
    }

    private Node select(Node parent) {
        double sqrtN = Math.sqrt(Math.max(1, parent.visits()));
        Node best = null;
        double bestU = Double.NEGATIVE_INFINITY;
        for (Node c : parent.children()) {
            double q = c.visits() == 0 ? 0.5 : c.value();
            double u = q + cPuct * c.prior() * sqrtN / (1 + c.visits());
            if (u > bestU) {
                bestU = u;
                best = c;
            }
        }
        return best;
    }

    /** Priors from the steps' mean token log-probability when the backend has them, uniform otherwise. */
    private static void setPriors(List<Node> kids) {
        double[] lp = new double[kids.size()];
        boolean have = true;
        for (int i = 0; i < lp.length; i++) {
            Double v = kids.get(i).scores().get("logprob");
            if (v == null || v.isNaN()) have = false;
            else lp[i] = v;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : lp) max = Math.max(max, v);
        double sum = 0;
        for (int i = 0; i < lp.length; i++) sum += have ? Math.exp(lp[i] - max) : 1;
        for (int i = 0; i < lp.length; i++) kids.get(i).prior((have ? Math.exp(lp[i] - max) : 1) / sum);
    }

    private static double value(SearchContext ctx, Node kid, List<Node> terminals, List<String> rolloutAnswers) {
        if (kid.terminal()) {
            if (kid.answer() == null) return 0;
            terminals.add(kid);
            List<String> peers = terminals.stream().map(Node::answer).toList();
            double v = ctx.verify(kid, peers);
            return Double.isNaN(v) ? kid.pathScore() : (kid.pathScore() + v) / 2;
        }
        if (!Double.isNaN(kid.score())) return kid.pathScore();
        return rollout(ctx, kid, rolloutAnswers);
    }

    /** Samples the rest of the chain from {@code kid}; its value is the share of earlier rollouts that agree. */
    private static double rollout(SearchContext ctx, Node kid, List<String> rolloutAnswers) {
        List<Continuation> out = ctx.sample(ctx.conversation(), kid.prefix(), 1, ctx.settings().chainMaxTokens(),
                ctx.settings().chainMaxTokens() / 2, List.of(), ctx.settings().temperature(), false, true);
        if (out.isEmpty()) return 0.5;
        String answer = ReasoningPrompt.extractAnswer(ReasoningPrompt.cutAfterAnswer(out.get(0).text()));
        if (answer == null) return 0;
        String key = AnswerNormalizer.normalize(answer);
        long agree = rolloutAnswers.stream().filter(key::equals).count();
        double v = rolloutAnswers.isEmpty() ? 0.5 : (agree + 0.5) / (rolloutAnswers.size() + 1.0);
        rolloutAnswers.add(key);
        kid.putScore("rollout", v);
        return v;
    }

    private static Outcome decide(SearchContext ctx, List<Node> terminals, Node deepest) {
        Node n = ctx.root();
        while (!n.children().isEmpty() && !n.terminal()) {
            Node best = null;
            for (Node c : n.children()) {
                if (best == null || c.visits() > best.visits()
                        || c.visits() == best.visits() && c.value() > best.value()) best = c;
            }
            n = best;
        }
        Votes votes = new Votes();
        double bestValue = Double.NaN;
        for (Node t : terminals) {
            double v = t.visits() == 0 ? 0 : t.value();
            votes.add(t, v, v);
            bestValue = Double.isNaN(bestValue) ? v : Math.max(bestValue, v);
        }
        if (n != ctx.root() && n.answer() != null) {
            Outcome o = votes.outcome(bestValue);
            double total = votes.total();
            double share = total > 0 ? o.votes().getOrDefault(AnswerNormalizer.normalize(n.answer()), 0.0) / total : 0;
            return new Outcome(n.answer(), n, o.votes(), share, bestValue);
        }
        if (!votes.isEmpty()) return votes.outcome(bestValue);
        return Anytime.fromPartial(ctx, n != ctx.root() && !n.terminal() ? n : deepest);
    }
}
