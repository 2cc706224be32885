package dev.dca.router;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.Effort;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.ReasoningResult;
import dev.dca.reasoning.SearchStats;
import dev.dca.reasoning.policy.Policy;
import java.util.LinkedHashMap;
import java.util.Map;

/** The reasoning core's {@link Reasoner} as the router's {@link Thinker}. */
public final class ReasonerThinker implements Thinker {

    static Thinker create() {
        return new ReasonerThinker();
    }

    @Override
    public Thought think(Policy policy, String question, String context, Effort effort, Integer maxReasoningTokens, Long seed) {
        Budget budget = effort.defaultBudget();
        if (maxReasoningTokens != null) budget = budget.withMaxReasoningTokens(maxReasoningTokens);
        Reasoner reasoner = Reasoner.builder().policy(policy).effort(effort).budget(budget).seed(seed == null ? 0 : seed).build();
        ReasoningResult r = reasoner.solve(question, context);
        SearchStats s = r.stats();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("nodes", s.nodes());
        stats.put("samples", s.samples());
        stats.put("calls", s.calls());
        stats.put("votes", s.votes());
        stats.put("best_score", Double.isNaN(s.bestScore()) ? null : s.bestScore());
        stats.put("confidence", r.confidence());
        stats.put("wall_ms", s.wallTime().toMillis());
        stats.put("model_ms", s.modelTime().toMillis());
        if (s.stopReason() != null) stats.put("stop_reason", s.stopReason());
        stats.put("budget_reasoning_tokens", budget.maxReasoningTokens());
        var u = r.usage();
        return new Thought(r.answered() ? r.answer() : "", r.strategy(),
                new Usage(u.promptTokens(), u.completionTokens(), u.reasoningTokens()), stats, r.reasoning(), r.summary());
    }
}
