package dev.dca.reasoning;

import dev.dca.reasoning.search.BeamSearch;
import dev.dca.reasoning.search.BestOfN;
import dev.dca.reasoning.search.ChainOfThought;
import dev.dca.reasoning.search.Direct;
import dev.dca.reasoning.search.Mcts;
import dev.dca.reasoning.search.ReasoningStrategy;
import dev.dca.reasoning.search.Reflect;
import dev.dca.reasoning.search.SelfConsistency;
import java.util.List;

/** Strategies by name, with the default parameters used when a user names one ({@code --strategy beam}). */
public final class Strategies {

    public static final List<String> NAMES = List.of("direct", "cot", "self-consistency", "best-of-n", "beam", "mcts", "reflect");

    private Strategies() {}

    /**
     * {@code direct}, {@code cot}, {@code self-consistency} (alias {@code sc}; 8 chains), {@code best-of-n}
     * (alias {@code bon}; 8 chains), {@code beam} (4 beams x 4 steps), {@code mcts} (64 iterations, 4 candidates,
     * c = 1.5), {@code reflect} (2 critiques).
     */
    public static ReasoningStrategy byName(String name) {
        return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "direct" -> new Direct();
            case "cot", "chain-of-thought" -> new ChainOfThought();
            case "self-consistency", "sc" -> new SelfConsistency(8);
            case "best-of-n", "bon" -> new BestOfN(8);
            case "beam" -> new BeamSearch(4, 4, 16);
            case "mcts" -> new Mcts(64, 4, 16, 1.5);
            case "reflect" -> new Reflect(2);
            default -> throw new IllegalArgumentException("unknown strategy '" + name + "': use one of " + NAMES);
        };
    }
}
