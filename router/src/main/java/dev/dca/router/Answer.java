package dev.dca.router;

import java.util.List;
import java.util.Map;

/**
 * One answer of the router.
 *
 * @param text the visible answer (never the hidden reasoning)
 * @param decision the route, effort and the one-line reason for them
 * @param strategy the reasoning strategy used ({@code direct} when the model answered without search)
 * @param stats search statistics of the reasoning core (empty on other routes)
 * @param citations the numbered sources a grounded answer was given; {@code [n]} in the text refers to number n
 * @param reasoning the hidden trace, only when it was asked for; null otherwise
 * @param reasoningSummary a short summary of the hidden reasoning, or null
 * @param finishReason {@code stop}, {@code length} or {@code cancelled}
 * @param notices things the user should know, e.g. that old turns were dropped to fit the context
 */
public record Answer(
        String text,
        RouteDecision decision,
        String strategy,
        Usage usage,
        Map<String, Object> stats,
        List<Citation> citations,
        String reasoning,
        String reasoningSummary,
        String finishReason,
        List<String> notices) {

    public Answer {
        stats = stats == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stats));
        citations = citations == null ? List.of() : List.copyOf(citations);
        notices = notices == null ? List.of() : List.copyOf(notices);
    }

    public Route route() {
        return decision.route();
    }

    public boolean cancelled() {
        return "cancelled".equals(finishReason);
    }
}
