package dev.dca.reasoning.verify;

import java.util.List;

/**
 * An external process-reward model (a separate classifier, a server): scores every step of a chain. Wrap it with
 * {@link #asScorer()} to use it in a search.
 */
public interface ProcessRewardModel {

    /** One score in [0, 1] per step (NaN for no opinion). */
    double[] scoreSteps(String question, List<String> steps);

    /** A step scorer (the last step's score) that is also a verifier (the weakest step's score). */
    default PrmScorer asScorer() {
        return new PrmScorer(this);
    }

    /** The scorer/verifier view of a process-reward model. */
    final class PrmScorer implements StepScorer, Verifier {
        private final ProcessRewardModel prm;

        PrmScorer(ProcessRewardModel prm) {
            this.prm = prm;
        }

        @Override
        public double score(StepContext step) {
            List<String> steps = step.allSteps();
            if (steps.isEmpty()) return Double.NaN;
            double[] s = prm.scoreSteps(step.question(), steps);
            return s.length == 0 ? Double.NaN : clamp(s[s.length - 1]);
        }

        @Override
        public double verify(StepContext chain, List<String> peerAnswers) {
            double[] s = prm.scoreSteps(chain.question(), chain.allSteps());
            double min = Double.NaN;
            for (double v : s) if (!Double.isNaN(v)) min = Double.isNaN(min) ? v : Math.min(min, v);
            return clamp(min);
        }

        @Override
        public String name() {
            return "prm";
        }

        private static double clamp(double v) {
            return Double.isNaN(v) ? v : Math.max(0, Math.min(1, v));
        }
    }
}
