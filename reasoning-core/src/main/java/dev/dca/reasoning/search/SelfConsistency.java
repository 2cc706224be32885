package dev.dca.reasoning.search;

import java.util.List;

/**
 * {@code self-consistency}: up to {@code n} chains sampled in waves of {@code wave} (each wave one batched call
 * that forks the prompt), majority vote over normalised answers. Stops early once the leader cannot be overtaken
 * by the chains still to come. Ties go to the answer reached first. When the context corrects arithmetic (the
 * calculator tool), a wave's chains are written one step at a time, all of them in one batched call per step, so
 * each chain's next step reads its corrected results (as {@link ChainOfThought} does for one chain).
 */
public final class SelfConsistency implements ReasoningStrategy {

    private final int n;
    private final int wave;

    public SelfConsistency(int n) {
        this(n, n);
    }

    public SelfConsistency(int n, int wave) {
        if (n < 1 || wave < 1) throw new IllegalArgumentException("n and wave must be >= 1, got " + n + ", " + wave);
        this.n = n;
        this.wave = wave;
    }

    @Override
    public String name() {
        return "self-consistency";
    }

    @Override
    public String describe() {
        return "self-consistency n=" + n + (wave < n ? " in waves of " + wave : "");
    }

    @Override
    public Outcome search(SearchContext ctx) {
        Votes votes = new Votes();
        int sampled = 0;
        while (sampled < n) {
            int k = Math.min(wave, n - sampled);
            List<Node> chains = ctx.correctsArithmetic()
                    ? stepwise(ctx, k, ctx.settings().temperature(), sampled == 0)
                    : ctx.sampleChains(ctx.root(), ctx.conversation(), k, ctx.settings().temperature(), Node.Kind.CHAIN);
            if (chains.isEmpty()) break;
            sampled += chains.size();
            for (Node c : chains) {
                votes.add(c, voteWeight(c), 0);
                c.score(Double.NaN);
            }
            int remaining = n - sampled;
            if (votes.leaderWeight() > votes.runnerUpWeight() + remaining) break;
        }
        for (Node c : ctx.nodes()) {
            if (c.answer() != null && (c.kind() == Node.Kind.CHAIN || c.terminal())) {
                // agreement is the natural per-chain score here (recorded for the trace and the summary)
                c.putScore("agreement", votes.weights().getOrDefault(
                        dev.dca.reasoning.eval.AnswerNormalizer.normalize(c.answer()), 0.0) / Math.max(1, votes.total()));
            }
        }
        Outcome o = votes.outcome(Double.NaN);
        return new Outcome(o.answer(), o.chosen(), o.votes(), o.confidence(), o.confidence());
    }

    /** Score key marking a chain the budget or the step limit cut off before its answer line (its answer was forced). */
    static final String UNFINISHED = "unfinished";

    /**
     * A chain cut off before its answer line votes with a token weight: it decides only when no chain finished (a
     * budget too small for all chains would otherwise let half-written chains outvote the finished ones).
     */
    static double voteWeight(Node chain) {
        return chain.scores().containsKey(UNFINISHED) ? 0.01 : 1.0;
    }

    /**
     * {@code k} chains written step by step in lockstep: the first steps fork the prompt, then every unfinished
     * chain gets its next step in one batched call, until all have answered, ended or the budget is spent. Chains
     * left without an answer line get theirs forced, together. With {@code greedyFirst} one chain is greedy and
     * comes first, so it wins ties: the vote keeps {@code cot}'s answer unless the samples agree on another one
     * (a small model's samples at temperature 0.8 are often worse than its greedy chain).
     */
    static List<Node> stepwise(SearchContext ctx, int k, double temperature, boolean greedyFirst) {
        double greedyT = ctx.settings().greedyTemperature();
        java.util.Set<Node> greedy = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<Node> live = new java.util.ArrayList<>();
        if (greedyFirst) {
            List<Node> g = ctx.expand(ctx.root(), 1, greedyT);
            greedy.addAll(g);
            live.addAll(g);
            if (k > 1 && !g.isEmpty()) live.addAll(ctx.expand(ctx.root(), k - 1, temperature));
        } else {
            live.addAll(ctx.expand(ctx.root(), k, temperature));
        }
        List<Node> done = new java.util.ArrayList<>();
        for (int depth = 1; !live.isEmpty(); depth++) {
            List<Node> open = new java.util.ArrayList<>();
            for (Node c : live) (c.terminal() ? done : open).add(c);
            if (open.isEmpty()) break;
            if (depth >= ChainOfThought.MAX_STEPS) {
                done.addAll(open);
                break;
            }
            List<Double> temps = open.stream().map(c -> greedy.contains(c) ? greedyT : temperature).toList();
            List<Node> next = ctx.expandEach(open, temps);
            for (int i = 0; i < next.size(); i++) if (greedy.contains(open.get(i))) greedy.add(next.get(i));
            if (next.size() < open.size()) done.addAll(open.subList(next.size(), open.size())); // budget ran out
            live = next;
        }
        List<Node> unanswered = done.stream().filter(c -> c.answer() == null).toList();
        List<String> forced = ctx.forceAnswers(ctx.conversation(), unanswered.stream().map(Node::prefix).toList());
        for (int i = 0; i < unanswered.size(); i++) {
            Node c = unanswered.get(i);
            c.putScore(UNFINISHED, 1.0);
            c.answer(forced.get(i) != null ? forced.get(i) : dev.dca.reasoning.eval.AnswerExtractor.lastNumber(c.prefix()));
            c.terminal(true);
        }
        done.sort(java.util.Comparator.comparing(c -> !greedy.contains(c))); // stable: the greedy chain first
        return done;
    }
}
