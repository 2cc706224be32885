package dev.dca.reasoning;

/**
 * Effort presets. Each maps to a strategy, its parameters and a default budget (an explicit {@link Budget}
 * replaces the default budget; the strategy stays). At every effort the calculator tool checks each step's
 * arithmetic and replaces a wrong result before the chain goes on (chains are then written one step per call, so
 * nodes and samples count steps); effort buys search, not the tool:
 *
 * <table>
 * <tr><th>effort</th><th>strategy</th><th>scorers</th><th>default budget (tokens / nodes / samples / time)</th></tr>
 * <tr><td>LOW</td><td>{@code cot}: one chain, temperature 0</td><td>calculator</td><td>512 / 16 / 16 / 60 s</td></tr>
 * <tr><td>MEDIUM</td><td>{@code self-consistency}: 5 chains (the first greedy), majority vote</td><td>calculator + answer
 *     agreement</td><td>2,048 / 64 / 64 / 120 s</td></tr>
 * <tr><td>HIGH</td><td>{@code beam}: 3 beams x 4 candidate steps (the greedy step and 3 sampled), at most 16 steps
 *     deep</td><td>calculator + number grounding</td><td>8,192 / 256 / 256 / 300 s</td></tr>
 * <tr><td>AUTO</td><td colspan="3">the router picks LOW, MEDIUM or HIGH per request; a {@link Reasoner} given
 *     AUTO directly uses MEDIUM</td></tr>
 * </table>
 */
public enum Effort {
    LOW, MEDIUM, HIGH, AUTO;

    /** Parses {@code low|medium|high|auto}, case-insensitive. */
    public static Effort parse(String s) {
        for (Effort e : values()) if (e.name().equalsIgnoreCase(s.strip())) return e;
        throw new IllegalArgumentException("unknown effort '" + s + "': use low, medium, high or auto");
    }

    /** The default budget of this effort. */
    public Budget defaultBudget() {
        return switch (this) {
            case LOW -> new Budget(512, 16, 16, java.time.Duration.ofSeconds(60));
            case MEDIUM, AUTO -> new Budget(2048, 64, 64, java.time.Duration.ofSeconds(120));
            case HIGH -> new Budget(8192, 256, 256, java.time.Duration.ofSeconds(300));
        };
    }
}
