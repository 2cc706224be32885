package dev.dca.reasoning.search;

import dev.dca.reasoning.ReasoningPrompt;
import dev.dca.reasoning.eval.AnswerNormalizer;
import dev.dca.reasoning.policy.Continuation;
import java.util.List;
import java.util.Map;

/**
 * {@code reflect}: draft a chain, ask the model to critique it (ending {@code Verdict: correct|wrong}), and while
 * the verdict is "wrong" write a revised chain that sees the draft and the critique, up to {@code rounds}
 * critiques. The answer is that of the last draft that has one.
 */
public final class Reflect implements ReasoningStrategy {

    private final int rounds;

    public Reflect(int rounds) {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        this.rounds = rounds;
    }

    @Override
    public String name() {
        return "reflect";
    }

    @Override
    public String describe() {
        return "reflect up to " + rounds + " critiques";
    }

    @Override
    public Outcome search(SearchContext ctx) {
        double greedy = ctx.settings().greedyTemperature();
        List<Node> drafts = ctx.sampleChains(ctx.root(), ctx.conversation(), 1, greedy, Node.Kind.DRAFT);
        if (drafts.isEmpty()) return new Outcome(null, null, Map.of(), 0, Double.NaN);
        Node current = drafts.get(0);
        double confidence = 0.5;
        for (int r = 0; r < rounds; r++) {
            var critiqueConv = ReasoningPrompt.critiqueConversation(ctx.question(), ctx.context(), current.text());
            List<Continuation> out = ctx.sample(critiqueConv, "", 1, ctx.settings().chainMaxTokens(),
                    ctx.settings().chainMaxTokens(), List.of(), greedy, true, true);
            if (out.isEmpty()) break;
            String critique = out.get(0).text().strip();
            Node c = ctx.newNode(current, Node.Kind.CRITIQUE, critique, critique, out.get(0).tokens());
            Boolean verdict = ReasoningPrompt.verdict(critique);
            c.putScore("verdict", verdict == null ? Double.NaN : verdict ? 1 : 0);
            if (verdict != null) current.score(verdict ? 1 : 0);
            if (Boolean.TRUE.equals(verdict)) {
                confidence = 0.8;
                break;
            }
            confidence = 0.4;
            var revise = ReasoningPrompt.reviseConversation(ctx.question(), ctx.context(), current.text(), critique);
            List<Node> revised = ctx.sampleChains(c, revise, 1, greedy, Node.Kind.DRAFT);
            if (revised.isEmpty() || revised.get(0).answer() == null) break;
            current = revised.get(0);
            confidence = 0.5;
        }
        if (current.answer() == null) return new Outcome(null, current, Map.of(), 0, Double.NaN);
        return new Outcome(current.answer(), current, Map.of(AnswerNormalizer.normalize(current.answer()), 1.0),
                confidence, current.score());
    }
}
