package dev.dca.reasoning.search;

import dev.dca.reasoning.eval.AnswerExtractor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Chains written one step per model call, so the calculator's corrections are what each next step reads: the
 * chain-level strategies ({@code cot}, {@code self-consistency}, {@code best-of-n}) use it when the context
 * corrects arithmetic.
 */
final class StepwiseChains {

    /** Longest chain written step by step: a model that never writes its answer line still ends. */
    static final int MAX_STEPS = 32;

    private StepwiseChains() {}

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
    static List<Node> write(SearchContext ctx, int k, double temperature, boolean greedyFirst) {
        double greedyT = ctx.settings().greedyTemperature();
        Set<Node> greedy = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> live = new ArrayList<>();
        if (greedyFirst) {
            List<Node> g = ctx.expand(ctx.root(), 1, greedyT);
            greedy.addAll(g);
            live.addAll(g);
            if (k > 1 && !g.isEmpty()) live.addAll(ctx.expand(ctx.root(), k - 1, temperature));
        } else {
            live.addAll(ctx.expand(ctx.root(), k, temperature));
        }
        List<Node> done = new ArrayList<>();
        for (int depth = 1; !live.isEmpty(); depth++) {
            List<Node> open = new ArrayList<>();
            for (Node c : live) (c.terminal() ? done : open).add(c);
            if (open.isEmpty()) break;
            if (depth >= MAX_STEPS) {
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
            c.answer(forced.get(i) != null ? forced.get(i) : AnswerExtractor.lastNumber(c.prefix()));
            c.terminal(true);
        }
        done.sort(Comparator.comparing(c -> !greedy.contains(c))); // stable: the greedy chain first
        return done;
    }
}
