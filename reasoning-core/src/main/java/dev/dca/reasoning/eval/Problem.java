package dev.dca.reasoning.eval;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One evaluation problem.
 *
 * @param gold the reference final answer (GSM8K: after {@code ####}; MATH: the {@code answer} field, or the last
 *     {@code \boxed{}} of {@code solution})
 */
public record Problem(String id, String question, String gold) {

    /**
     * Reads a dataset row: {@code question} or {@code problem}; {@code answer} (GSM8K form when it contains
     * {@code ####}, else the answer itself) or, without one, the last {@code \boxed{}} of {@code solution}.
     *
     * @throws IllegalArgumentException naming the missing field
     */
    public static Problem fromJson(JsonNode row) {
        String question = text(row, "question");
        if (question == null) question = text(row, "problem");
        if (question == null) throw new IllegalArgumentException("no 'question' or 'problem' field");
        String answer = text(row, "answer");
        String gold = null;
        if (answer != null) gold = answer.contains("####") ? AnswerExtractor.gsm8kGold(answer) : answer.strip();
        if (gold == null) gold = AnswerExtractor.lastBoxed(text(row, "solution"));
        if (gold == null || gold.isEmpty()) throw new IllegalArgumentException("no gold answer ('answer' field, or \\boxed{} in 'solution')");
        String id = text(row, "id");
        if (id == null) id = text(row, "unique_id");
        return new Problem(id, question, gold);
    }

    /** Whether a model's answer matches the gold answer after normalisation. */
    public boolean isCorrect(String answer) {
        return AnswerNormalizer.equivalent(answer, gold);
    }

    private static String text(JsonNode row, String field) {
        JsonNode n = row.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
