package dev.dca.foundry.curriculum;

/** Training data by index: example {@code i} must depend only on {@code i}, so training can resume anywhere. */
@FunctionalInterface
public interface ExampleSource {
    Example example(long index);
}
