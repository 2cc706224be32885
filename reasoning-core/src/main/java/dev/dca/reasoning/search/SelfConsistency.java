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
                    ? StepwiseChains.write(ctx, k, ctx.settings().temperature(), sampled == 0)
                    : ctx.sampleChains(ctx.root(), ctx.conversation(), k, ctx.settings().temperature(), Node.Kind.CHAIN);
            if (chains.isEmpty()) break;
            sampled += chains.size();
            for (Node c : chains) {
                votes.add(c, StepwiseChains.voteWeight(c), 0);
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
}
