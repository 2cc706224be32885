package dev.dca.reasoning.verify;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies a finished chain by how many of the question's numbers its arithmetic uses: the share of the distinct
 * numbers written in the question that appear as an operand of some step. A word problem states the quantities it
 * needs, so a chain that leaves one out has usually solved a problem of another shape (a small model's typical
 * failure on an unfamiliar problem: the chain of a familiar one, with two of the three numbers). NaN when the
 * question has no numbers (its facts are in the sources); retrieved context is not counted, since sources carry
 * numbers the question does not need.
 */
public final class NumberCoverage implements Verifier {

    @Override
    public double verify(StepContext chain, List<String> peerAnswers) {
        Set<String> wanted = new LinkedHashSet<>(NumberGrounding.numbers(chain.question()));
        if (wanted.isEmpty()) return Double.NaN;
        Set<String> used = new HashSet<>();
        for (String step : chain.allSteps()) used.addAll(NumberGrounding.operands(step));
        long covered = wanted.stream().filter(used::contains).count();
        return (double) covered / wanted.size();
    }

    @Override
    public String name() {
        return "coverage";
    }
}
