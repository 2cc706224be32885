package dev.dca.foundry.train;

/** Observes a training run (progress bar, logs, tests). */
public interface TrainListener {

    /** One finished step. {@code tokensPerSecond} counts every token of the batch, padding included. */
    record StepStats(int step, int steps, double loss, double lr, double gradNorm, double tokensPerSecond, double elapsedSeconds) {}

    default void onStart(int startStep, int steps, long parameters) {}

    default void onStep(StepStats stats) {}

    default void onCheckpoint(int step, java.nio.file.Path folder) {}

    default void onEnd() {}

    TrainListener NONE = new TrainListener() {};
}
