package dev.dca.router;

import dev.dca.reasoning.Effort;
import java.util.Objects;

/**
 * The router's decision for one request, with the one-line reason {@code --explain} shows.
 *
 * @param effort the reasoning effort (LOW, MEDIUM or HIGH when the route reasons; LOW otherwise, unused)
 * @param bestRelevance relevance of the best retrieved passage, or NaN when nothing was searched
 */
public record RouteDecision(Route route, Effort effort, String reason, double bestRelevance) {
    public RouteDecision {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(effort, "effort");
        Objects.requireNonNull(reason, "reason");
        if (effort == Effort.AUTO) throw new IllegalArgumentException("a decision names a concrete effort, not auto");
    }
}
