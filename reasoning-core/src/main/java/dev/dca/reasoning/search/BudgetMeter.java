package dev.dca.reasoning.search;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.policy.Continuation;
import java.util.List;

/**
 * Keeps one {@code solve} inside its {@link Budget}: every model call first asks for a {@link Grant}, which cuts
 * the call's {@code n} and {@code maxTokens} so that even the worst case (every sample running to its max) stays
 * within the caps. Wall time cannot be cut inside a call, so the grant limits {@code maxTokens} to what the
 * decoding speed observed so far can produce in the time left (with a 10% margin); when less than 30 s are left and
 * no speed is known yet, the first call is limited to 16 tokens to measure it. The wall time can therefore be
 * overrun only by the last call itself (its prefill, or a machine that suddenly got slower).
 */
public final class BudgetMeter {

    /** What a call may use. */
    public record Grant(int n, int maxTokens) {}

    /** Below this much wall time, the first call is kept short to measure decoding speed. */
    static final long CALIBRATE_BELOW_NANOS = 30_000_000_000L;
    static final int CALIBRATION_TOKENS = 16;

    private final Budget budget;
    private final long startNanos;
    private final long wallNanos;
    private int tokens;
    private int samples;
    private int nodes;
    private int promptTokens;
    private int reasoningTokens;
    private int calls;
    private long policyNanos;
    private long decodeSteps;
    private String stopReason;

    public BudgetMeter(Budget budget) {
        this.budget = budget;
        this.startNanos = System.nanoTime();
        long w;
        try {
            w = budget.maxWallTime().toNanos();
        } catch (ArithmeticException e) {
            w = Long.MAX_VALUE;
        }
        this.wallNanos = w;
    }

    public Budget budget() { return budget; }

    /**
     * The largest call that fits: {@code n} is cut to the samples and nodes left and to how many samples of
     * {@code typicalTokens} fit the tokens left; {@code maxTokens} to the tokens left divided by that {@code n}.
     *
     * @return null when nothing fits (the reason is kept in {@link #stopReason()})
     */
    public Grant grant(int n, int maxTokens, int typicalTokens, boolean createsNodes) {
        return grant(n, maxTokens, typicalTokens, createsNodes, 0);
    }

    /** As {@link #grant(int, int, int, boolean)}, leaving {@code reserveTokens} for a later call (a final answer). */
    public Grant grant(int n, int maxTokens, int typicalTokens, boolean createsNodes, int reserveTokens) {
        if (n < 1 || maxTokens < 1) throw new IllegalArgumentException("n and maxTokens must be >= 1, got " + n + ", " + maxTokens);
        long elapsed = elapsedNanos();
        if (elapsed >= wallNanos) return deny("wall time");
        int leftTokens = budget.maxReasoningTokens() - tokens - Math.max(0, reserveTokens);
        int leftSamples = budget.maxSamples() - samples;
        int leftNodes = budget.maxNodes() - nodes;
        if (leftTokens < 1) return deny("reasoning tokens");
        if (leftSamples < 1) return deny("samples");
        if (createsNodes && leftNodes < 1) return deny("nodes");
        int typical = Math.max(1, Math.min(typicalTokens, maxTokens));
        int g = Math.min(n, leftSamples);
        if (createsNodes) g = Math.min(g, leftNodes);
        g = Math.min(g, Math.max(1, leftTokens / typical));
        int mt = Math.min(maxTokens, leftTokens / g);
        if (decodeSteps == 0 && wallNanos - elapsed < CALIBRATE_BELOW_NANOS) {
            // no speed known yet and little time: a short first call measures the speed for the later grants
            mt = Math.min(mt, CALIBRATION_TOKENS);
        } else if (decodeSteps > 0) {
            double nanosPerStep = (double) policyNanos / decodeSteps;
            long byTime = (long) (0.9 * (wallNanos - elapsed) / nanosPerStep);
            if (byTime < 1) return deny("wall time");
            mt = (int) Math.min(mt, byTime);
        }
        assert (long) g * mt <= leftTokens;
        return new Grant(g, mt);
    }

    private Grant deny(String what) {
        if (stopReason == null) stopReason = what + " budget exhausted";
        return null;
    }

    /** Records a call's results. */
    public void charge(Grant grant, int prompt, List<Continuation> out, long nanos, boolean reasoning) {
        int longest = 0;
        int generated = 0;
        for (Continuation c : out) {
            generated += c.tokens();
            longest = Math.max(longest, c.tokens());
        }
        tokens += generated;
        if (reasoning) reasoningTokens += generated;
        samples += out.size();
        promptTokens += prompt;
        calls++;
        policyNanos += nanos;
        decodeSteps += Math.max(1, longest);
    }

    /** Counts created search nodes. */
    public void chargeNode() {
        nodes++;
        assert nodes <= budget.maxNodes() : "node cap exceeded";
    }

    public boolean nodesLeft() {
        return nodes < budget.maxNodes();
    }

    /** Marks the search as stopped early for a reason other than the budget (e.g. a model error). */
    public void stop(String reason) {
        if (stopReason == null) stopReason = reason;
    }

    public long elapsedNanos() { return System.nanoTime() - startNanos; }
    public int tokens() { return tokens; }
    public int reasoningTokens() { return reasoningTokens; }
    public int samples() { return samples; }
    public int nodes() { return nodes; }
    public int promptTokens() { return promptTokens; }
    public int calls() { return calls; }
    /** Time spent inside the policy (model) calls. */
    public long policyNanos() { return policyNanos; }
    /** Why the search stopped early, or null if it finished on its own. */
    public String stopReason() { return stopReason; }
}
