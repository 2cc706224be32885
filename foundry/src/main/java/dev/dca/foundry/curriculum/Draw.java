package dev.dca.foundry.curriculum;

import java.util.List;
import java.util.random.RandomGenerator;

/** Seeded random choices for the generators: every draw goes through the one generator passed in. */
final class Draw {
    private final RandomGenerator random;

    Draw(RandomGenerator random) {
        this.random = random;
    }

    RandomGenerator random() {
        return random;
    }

    /** Uniform integer in [lo, hi]. */
    int between(int lo, int hi) {
        return random.nextInt(lo, hi + 1);
    }

    <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    @SafeVarargs
    final <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }
}
