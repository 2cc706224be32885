package dev.dca.reasoning.search;

import dev.dca.reasoning.ReasoningPrompt;
import dev.dca.reasoning.policy.Continuation;
import java.util.List;
import java.util.Map;

/** {@code direct}: no scratchpad; the model writes the answer line at once (greedy). */
public final class Direct implements ReasoningStrategy {

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public Outcome search(SearchContext ctx) {
        var conv = ReasoningPrompt.directConversation(ctx.question(), ctx.context());
        String prefix = ReasoningPrompt.ANSWER_MARKER;
        List<Continuation> out = ctx.sample(conv, prefix, 1, ctx.settings().answerMaxTokens() * 4,
                ctx.settings().answerMaxTokens(), List.of(ReasoningPrompt.STEP_DELIMITER),
                ctx.settings().greedyTemperature(), true, false);
        if (out.isEmpty()) return new Outcome(null, null, Map.of(), 0, Double.NaN);
        Continuation c = out.get(0);
        String text = prefix + " " + c.text().strip();
        Node node = ctx.newNode(ctx.root(), Node.Kind.DIRECT, text, text, c.tokens());
        node.answer(ReasoningPrompt.extractAnswer(text));
        node.terminal(true);
        double conf = c.tokenLogprobs() == null || c.tokenLogprobs().length == 0 ? 0.5
                : Math.exp(c.logprob() / c.tokenLogprobs().length);
        return new Outcome(node.answer(), node, node.answer() == null ? Map.of() : Map.of(node.answer(), 1.0), conf, Double.NaN);
    }
}
