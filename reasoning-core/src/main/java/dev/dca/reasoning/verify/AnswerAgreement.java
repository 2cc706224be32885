package dev.dca.reasoning.verify;

import dev.dca.reasoning.eval.AnswerNormalizer;
import java.util.List;

/** Verifies an answer by how many candidates agree with it: the share of peers with the same normalised answer. */
public final class AnswerAgreement implements Verifier {

    @Override
    public double verify(StepContext chain, List<String> peerAnswers) {
        if (chain.answer() == null || peerAnswers.isEmpty()) return 0;
        String key = AnswerNormalizer.normalize(chain.answer());
        long same = peerAnswers.stream().filter(a -> a != null && AnswerNormalizer.normalize(a).equals(key)).count();
        return (double) same / peerAnswers.size();
    }
}
