package dev.dca.reasoning;

import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.policy.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stochastic stand-in for a model. Questions carry their gold answer ({@code "... gold 42"}). A chain has
 * {@code steps} lines {@code "step i ok"} or {@code "step i slip"}; each step is right with probability {@code p},
 * independently; the answer line is the gold answer when every step of the chain is right and {@code gold + 1}
 * otherwise (one distractor, so a majority vote is a binomial majority). Tokens: every word and every newline is
 * one token. It honours n, maxTokens and stop strings exactly, and counts what it generated, so tests can check
 * budgets independently of the meter. Deterministic in the request's seed.
 */
final class ScriptedPolicy implements Policy {

    static final Pattern GOLD = Pattern.compile("gold (-?\\d+)");
    private static final Pattern STEP = Pattern.compile("step (\\d+) (ok|slip)");
    private static final Pattern TOKEN = Pattern.compile("\\n| ?[^\\s]+");

    private final double p;
    private final int steps;
    private final long delayMillis;
    int generatedTokens;
    int generatedSamples;
    int calls;

    ScriptedPolicy(double p, int steps) {
        this(p, steps, 0);
    }

    ScriptedPolicy(double p, int steps, long delayMillis) {
        this.p = p;
        this.steps = steps;
        this.delayMillis = delayMillis;
    }

    static String question(int id, int gold) {
        return "Problem " + id + ": find the number. gold " + gold;
    }

    @Override
    public List<Continuation> sample(PolicyRequest r) {
        calls++;
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String system = r.conversation().get(0).content();
        String user = r.conversation().get(r.conversation().size() - 1).content();
        Matcher g = GOLD.matcher(user);
        if (!g.find()) throw new IllegalArgumentException("no gold in " + user);
        int gold = Integer.parseInt(g.group(1));
        List<Continuation> out = new ArrayList<>();
        for (int j = 0; j < r.n(); j++) {
            SplittableRandom rnd = new SplittableRandom(r.seed() ^ ((j + 1) * 0x9E3779B97F4A7C15L));
            String plan = plan(system, user, r.assistantPrefix(), gold, rnd);
            out.add(emit(plan, r.maxTokens(), r.stopStrings()));
        }
        return out;
    }

    private String plan(String system, String user, String prefix, int gold, SplittableRandom rnd) {
        if (system.equals(ReasoningPrompt.CRITIQUE_SYSTEM)) {
            String draft = user.substring(user.indexOf("Proposed solution:"));
            boolean right = String.valueOf(gold).equals(ReasoningPrompt.extractAnswer(draft));
            boolean says = rnd.nextDouble() < 0.9 ? right : !right;
            return "I checked each step.\nVerdict: " + (says ? "correct" : "wrong");
        }
        if (system.equals(ReasoningPrompt.DIRECT_SYSTEM)) {
            return " " + (rnd.nextDouble() < Math.pow(p, steps) ? gold : gold + 1);
        }
        if (system.startsWith("You check reasoning")) return " maybe\n"; // self-evaluation: no opinion
        Matcher m = STEP.matcher(prefix);
        int done = 0;
        boolean slipped = false;
        while (m.find()) {
            done++;
            slipped |= m.group(2).equals("slip");
        }
        if (prefix.endsWith(ReasoningPrompt.ANSWER_MARKER)) return " " + (slipped ? gold + 1 : gold) + "\n";
        StringBuilder sb = new StringBuilder();
        for (int i = done + 1; i <= steps; i++) {
            boolean ok = rnd.nextDouble() < p;
            slipped |= !ok;
            sb.append("step ").append(i).append(ok ? " ok" : " slip").append('\n');
        }
        sb.append("Answer: ").append(slipped ? gold + 1 : gold);
        return sb.toString();
    }

    private Continuation emit(String plan, int maxTokens, List<String> stops) {
        Matcher t = TOKEN.matcher(plan);
        StringBuilder text = new StringBuilder();
        int tokens = 0;
        while (t.find()) {
            if (tokens == maxTokens) return counted(new Continuation(text.toString(), tokens, null, null, false));
            text.append(t.group());
            tokens++;
            for (String s : stops) {
                int at = text.indexOf(s);
                if (at >= 0) return counted(new Continuation(text.substring(0, at), tokens, null, s, false));
            }
        }
        return counted(new Continuation(text.toString(), tokens, null, null, true));
    }

    private Continuation counted(Continuation c) {
        generatedTokens += c.tokens();
        generatedSamples++;
        return c;
    }

    @Override
    public int promptTokens(PolicyRequest r) {
        int chars = r.assistantPrefix().length();
        for (Turn t : r.conversation()) chars += t.content().length();
        return chars / 4 + 1;
    }
}
