package dev.dca.reasoning.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code beam}: step-level beam search. Each round expands every beam with {@code expansions} candidate steps
 * (its greedy step, then the others sampled in one batched call forking its prefix), scores the partial chains (mean step score on the path) and
 * keeps the best {@code beams}. Chains that reach an answer line are set aside; the search ends when
 * {@code beams} chains have answered, at {@code maxDepth} steps, or when the budget runs out. The answer is a
 * vote over the finished chains weighted by their path score (and verifier score when there is a verifier).
 */
public final class BeamSearch implements ReasoningStrategy {

    private final int beams;
    private final int expansions;
    private final int maxDepth;

    public BeamSearch(int beams, int expansions, int maxDepth) {
        if (beams < 1 || expansions < 1 || maxDepth < 1) throw new IllegalArgumentException(
                "beams, expansions and maxDepth must be >= 1, got " + beams + ", " + expansions + ", " + maxDepth);
        this.beams = beams;
        this.expansions = expansions;
        this.maxDepth = maxDepth;
    }

    @Override
    public String name() {
        return "beam";
    }

    @Override
    public String describe() {
        return "beam " + beams + "x" + expansions + " up to " + maxDepth + " steps";
    }

    @Override
    public Outcome search(SearchContext ctx) {
        List<Node> frontier = List.of(ctx.root());
        List<Node> finished = new ArrayList<>();
        Node bestPartial = null;
        boolean out = false;
        for (int depth = 0; depth < maxDepth && !frontier.isEmpty() && !out; depth++) {
            List<Node> candidates = new ArrayList<>();
            for (Node beam : frontier) {
                // the greedy step first, then sampled ones: ties in score keep the greedy continuation, so the beam
                // leaves the model's most likely chain only for a candidate the scorers rate higher
                List<Node> kids = new ArrayList<>(ctx.expand(beam, 1, ctx.settings().greedyTemperature()));
                if (!kids.isEmpty() && expansions > 1) kids.addAll(ctx.expand(beam, expansions - 1, ctx.settings().temperature()));
                if (kids.isEmpty()) {
                    out = true;
                    break;
                }
                Set<String> seen = new HashSet<>();
                for (Node kid : kids) {
                    if (!seen.add(kid.text())) continue; // identical samples add nothing to the beam
                    if (kid.terminal()) {
                        if (kid.answer() != null) finished.add(kid);
                    } else if (!kid.text().isEmpty()) {
                        candidates.add(kid);
                    }
                }
            }
            candidates.sort(Comparator.comparingDouble(Node::pathScore).reversed());
            frontier = candidates.subList(0, Math.min(beams, candidates.size()));
            if (!frontier.isEmpty()) bestPartial = frontier.get(0);
            if (finished.size() >= beams) break;
        }
        return decide(ctx, finished, bestPartial);
    }

    static Outcome decide(SearchContext ctx, List<Node> finished, Node bestPartial) {
        if (finished.isEmpty()) return Anytime.fromPartial(ctx, bestPartial);
        List<String> answers = finished.stream().map(Node::answer).toList();
        Votes votes = new Votes();
        double best = Double.NaN;
        for (Node f : finished) {
            double v = ctx.verify(f, answers);
            double w = Double.isNaN(v) ? f.pathScore() : (f.pathScore() + v) / 2;
            best = Double.isNaN(best) ? w : Math.max(best, w);
            votes.add(f, w, w);
        }
        return votes.outcome(best);
    }
}
