package dev.dca.reasoning;

import dev.dca.reasoning.verify.StepContext;
import dev.dca.reasoning.verify.StepScorer;
import java.util.SplittableRandom;
import java.util.regex.Matcher;

/**
 * A noisy process-reward model for {@link ScriptedPolicy}: 0.7 for a right step (or answer), 0.3 for a wrong one,
 * plus Gaussian noise of {@code sigma}, clamped to [0, 1]. The noise is a function of the text, so it is
 * reproducible.
 */
final class NoisyOracle implements StepScorer {

    private final double sigma;

    NoisyOracle(double sigma) {
        this.sigma = sigma;
    }

    @Override
    public double score(StepContext c) {
        boolean right;
        if (c.answer() != null) {
            Matcher g = ScriptedPolicy.GOLD.matcher(c.question());
            right = g.find() && g.group(1).equals(c.answer());
        } else if (c.step().contains("slip")) {
            right = false;
        } else if (c.step().contains("ok")) {
            right = true;
        } else {
            return Double.NaN;
        }
        double noise = new SplittableRandom((c.question() + "|" + c.previousSteps() + "|" + c.step()).hashCode()).nextGaussian();
        return Math.max(0, Math.min(1, (right ? 0.7 : 0.3) + sigma * noise));
    }

    @Override
    public String name() {
        return "oracle";
    }
}
