package dev.dca.reasoning;

import java.time.Duration;
import java.util.Map;

/**
 * What the search did.
 *
 * @param nodes tree nodes created
 * @param samples continuations sampled
 * @param calls model calls (a batched call counts once)
 * @param votes weight per normalised answer
 * @param bestScore best verifier/scorer value seen (NaN when nothing was scored)
 * @param modelTime time inside model calls; {@code wallTime - modelTime} is the search's own overhead
 * @param stopReason why the search stopped early ("reasoning tokens budget exhausted", ...), or null
 */
public record SearchStats(int nodes, int samples, int calls, Map<String, Double> votes, double bestScore,
        Duration wallTime, Duration modelTime, String stopReason) {
    public SearchStats {
        votes = Map.copyOf(votes);
    }
}
