package dev.dca.reasoning.verify;

/** Scores a partial chain: how likely its last step is correct. */
public interface StepScorer {

    /** A score in [0, 1], or NaN when this scorer has no opinion about the step (neutral). */
    double score(StepContext step);

    default String name() {
        return getClass().getSimpleName();
    }
}
