package dev.dca.reasoning.search;

import dev.dca.reasoning.ReasoningPrompt;
import dev.dca.reasoning.eval.AnswerNormalizer;
import java.util.List;
import java.util.Map;

/**
 * {@code cot}: one chain of thought (greedy by default), then its answer line. When the context corrects arithmetic
 * (a calculator tool), the chain is written one step at a time so each step's corrected result is what the next
 * step reads: the same tokens as one chain, one engine call per step (each reusing the cached prefix).
 */
public final class ChainOfThought implements ReasoningStrategy {

    private final Double temperature;

    /** Greedy: the settings' greedy temperature. */
    public ChainOfThought() {
        this(null);
    }

    public ChainOfThought(Double temperature) {
        this.temperature = temperature;
    }

    @Override
    public String name() {
        return "cot";
    }

    @Override
    public Outcome search(SearchContext ctx) {
        double t = temperature == null ? ctx.settings().greedyTemperature() : temperature;
        Node chain;
        if (ctx.correctsArithmetic()) {
            chain = stepwise(ctx, t);
            if (chain == null) return new Outcome(null, null, Map.of(), 0, Double.NaN);
        } else {
            List<Node> chains = ctx.sampleChains(ctx.root(), ctx.conversation(), 1, t, Node.Kind.CHAIN);
            if (chains.isEmpty()) return new Outcome(null, null, Map.of(), 0, Double.NaN);
            chain = chains.get(0);
        }
        double s = ctx.scoreChain(chain);
        if (!Double.isNaN(s)) chain.score(s);
        double conf = Double.isNaN(s) ? (chain.answer() == null ? 0 : 0.5) : s;
        Map<String, Double> votes = chain.answer() == null ? Map.of() : Map.of(AnswerNormalizer.normalize(chain.answer()), 1.0);
        return new Outcome(chain.answer(), chain, votes, conf, s);
    }

    /** One step per call until an answer line, a dead end or the budget; anytime: a forced answer at the end. */
    private static Node stepwise(SearchContext ctx, double t) {
        List<Node> chains = StepwiseChains.write(ctx, 1, t, false);
        if (!chains.isEmpty()) return chains.get(0);
        // not even one step fit: the answer line alone, if the budget allows it (anytime)
        if (!ctx.meter().nodesLeft()) return null;
        String forced = ctx.forceAnswer(ctx.conversation(), "");
        if (forced == null) return null;
        Node at = ctx.newNode(ctx.root(), Node.Kind.CHAIN, ReasoningPrompt.ANSWER_MARKER + " " + forced, "", 0);
        at.answer(forced);
        at.terminal(true);
        return at;
    }
}
