package dev.dca.reasoning.verify;

import java.util.List;

/** Scores a complete chain with its final answer. */
public interface Verifier {

    /**
     * A score in [0, 1], or NaN for no opinion.
     *
     * @param peerAnswers the final answers of all candidates being ranked together (this one included)
     */
    double verify(StepContext chain, List<String> peerAnswers);

    default String name() {
        return getClass().getSimpleName();
    }

    /** Any step scorer verifies a chain by scoring it as one step. */
    static Verifier of(StepScorer scorer) {
        return new Verifier() {
            @Override
            public double verify(StepContext chain, List<String> peerAnswers) {
                return scorer.score(chain);
            }

            @Override
            public String name() {
                return scorer.name();
            }
        };
    }
}
