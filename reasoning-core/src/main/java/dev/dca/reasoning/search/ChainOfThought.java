package dev.dca.reasoning.search;

import dev.dca.reasoning.eval.AnswerNormalizer;
import java.util.List;
import java.util.Map;

/** {@code cot}: one chain of thought (greedy by default), then its answer line. */
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
        List<Node> chains = ctx.sampleChains(ctx.root(), ctx.conversation(), 1, t, Node.Kind.CHAIN);
        if (chains.isEmpty()) return new Outcome(null, null, Map.of(), 0, Double.NaN);
        Node chain = chains.get(0);
        double s = ctx.scoreChain(chain);
        if (!Double.isNaN(s)) chain.score(s);
        double conf = Double.isNaN(s) ? (chain.answer() == null ? 0 : 0.5) : s;
        Map<String, Double> votes = chain.answer() == null ? Map.of() : Map.of(AnswerNormalizer.normalize(chain.answer()), 1.0);
        return new Outcome(chain.answer(), chain, votes, conf, s);
    }
}
