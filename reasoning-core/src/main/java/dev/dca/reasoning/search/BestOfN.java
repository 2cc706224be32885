package dev.dca.reasoning.search;

import dev.dca.reasoning.verify.AnswerAgreement;
import dev.dca.reasoning.verify.StepContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code best-of-n}: {@code n} chains in one batched call (written step-wise in lockstep when the calculator corrects
 * arithmetic), each scored by the verifier (or, without one, by the
 * step scorer applied to the whole chain; with neither, by answer agreement); the answer with the largest summed
 * score wins (weighted by answer, so several good chains agreeing beat one lucky one).
 */
public final class BestOfN implements ReasoningStrategy {

    private final int n;

    public BestOfN(int n) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        this.n = n;
    }

    @Override
    public String name() {
        return "best-of-n";
    }

    @Override
    public String describe() {
        return "best-of-n n=" + n;
    }

    @Override
    public Outcome search(SearchContext ctx) {
        // with the calculator correcting steps, chains are written step-wise (as self-consistency does) and each
        // chain's score is the mean of its scored steps
        boolean stepwise = ctx.correctsArithmetic();
        List<Node> chains = stepwise
                ? StepwiseChains.write(ctx, n, ctx.settings().temperature(), true)
                : ctx.sampleChains(ctx.root(), ctx.conversation(), n, ctx.settings().temperature(), Node.Kind.CHAIN);
        List<String> answers = new ArrayList<>();
        for (Node c : chains) answers.add(c.answer());
        Votes votes = new Votes();
        double best = Double.NaN;
        AnswerAgreement agreement = new AnswerAgreement();
        for (Node c : chains) {
            if (c.answer() == null) continue;
            double s = ctx.verify(c, answers);
            if (Double.isNaN(s)) s = stepwise ? c.pathScore() : ctx.scoreChain(c);
            if (Double.isNaN(s)) {
                s = agreement.verify(new StepContext(ctx.question(), ctx.context(), List.of(), "", c.answer(), ctx), answers);
                c.putScore("agreement", s);
            }
            c.score(s);
            best = Double.isNaN(best) ? s : Math.max(best, s);
            votes.add(c, s * StepwiseChains.voteWeight(c), s);
        }
        if (votes.isEmpty()) return new Outcome(null, chains.isEmpty() ? null : chains.get(0), Map.of(), 0, best);
        return votes.outcome(best);
    }
}
