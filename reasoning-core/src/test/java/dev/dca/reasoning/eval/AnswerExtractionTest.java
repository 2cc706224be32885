package dev.dca.reasoning.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerExtractionTest {

    static Path shared() {
        String p = System.getProperty("dca.shared");
        return p != null ? Path.of(p) : Path.of("..", "..", "shared");
    }

    @Test
    void should_normalise_numbers_and_latex() {
        assertThat(AnswerNormalizer.normalize("$1,000.00")).isEqualTo("1000");
        assertThat(AnswerNormalizer.normalize("1000 dollars")).isEqualTo("1000");
        assertThat(AnswerNormalizer.normalize("18.")).isEqualTo("18");
        assertThat(AnswerNormalizer.normalize("-3.50")).isEqualTo("-3.5");
        assertThat(AnswerNormalizer.normalize("\\dfrac{1}{2}")).isEqualTo("1/2");
        assertThat(AnswerNormalizer.normalize("\\frac12")).isEqualTo("1/2");
        assertThat(AnswerNormalizer.normalize("2/4")).isEqualTo("1/2");
        assertThat(AnswerNormalizer.normalize("\\boxed{\\frac{3}{6}}")).isEqualTo("1/2");
        assertThat(AnswerNormalizer.normalize("x = 5")).isEqualTo("5");
        assertThat(AnswerNormalizer.normalize("90^\\circ")).isEqualTo("90");
        assertThat(AnswerNormalizer.normalize("\\text{(C)}")).isEqualTo("(C)");
        assertThat(AnswerNormalizer.normalize("\\left( 3, \\frac{\\pi}{2} \\right)")).isEqualTo("(3,\\frac{\\pi}{2})");
        assertThat(AnswerNormalizer.equivalent("0.5", "\\frac{1}{2}")).isTrue();
        assertThat(AnswerNormalizer.equivalent("18", "$18.00")).isTrue();
        assertThat(AnswerNormalizer.equivalent("18", "19")).isFalse();
        assertThat(AnswerNormalizer.equivalent("", "")).isFalse();
    }

    @Test
    void should_extract_answers_from_replies() {
        assertThat(AnswerExtractor.extract("step\nAnswer: 42\nmore")).isEqualTo("42");
        assertThat(AnswerExtractor.extract("blah\n#### 1,234")).isEqualTo("1,234");
        assertThat(AnswerExtractor.extract("so \\boxed{\\frac{1}{\\sqrt{2}}} done")).isEqualTo("\\frac{1}{\\sqrt{2}}");
        assertThat(AnswerExtractor.extract("Thus the answer is 7.")).isEqualTo("7");
        assertThat(AnswerExtractor.extract("I got 3 then 5")).isEqualTo("5");
        assertThat(AnswerExtractor.extract("nothing")).isNull();
        assertThat(AnswerExtractor.lastBoxed("\\boxed{a} and \\boxed{b{c}}")).isEqualTo("b{c}");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{unclosed")).isNull();
    }

    static List<JsonNode> read(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) if (!line.isBlank()) out.add(json.readTree(line));
        return out;
    }

    @Test
    void should_parse_every_gsm8k_gold_answer_to_itself() throws IOException {
        Path file = shared().resolve("datasets/gsm8k/test.jsonl");
        assumeTrue(Files.isRegularFile(file), "GSM8K not in ../shared/datasets");
        List<JsonNode> rows = read(file);
        assertThat(rows).hasSize(1319);
        for (JsonNode row : rows) {
            String field = row.get("answer").asText();
            String gold = AnswerExtractor.gsm8kGold(field);
            assertThat(gold).as(field).isNotNull();
            String norm = AnswerNormalizer.normalize(gold);
            assertThat(norm).as(gold).matches("-?\\d+(\\.\\d+)?");
            assertThat(AnswerNormalizer.normalize(norm)).isEqualTo(norm);
            assertThat(AnswerExtractor.extract(field)).isEqualTo(gold);
            assertThat(AnswerNormalizer.equivalent(AnswerExtractor.extract("Answer: " + gold), gold)).isTrue();
            Problem p = Problem.fromJson(row);
            assertThat(p.gold()).isEqualTo(gold);
            assertThat(p.isCorrect(gold)).isTrue();
        }
    }

    @Test
    void should_normalise_every_math500_gold_answer_consistently() throws IOException {
        Path file = shared().resolve("datasets/math500/test.jsonl");
        assumeTrue(Files.isRegularFile(file), "MATH-500 not in ../shared/datasets");
        List<JsonNode> rows = read(file);
        assertThat(rows).hasSize(500);
        int boxedAgrees = 0;
        for (JsonNode row : rows) {
            String gold = row.get("answer").asText();
            String norm = AnswerNormalizer.normalize(gold);
            assertThat(norm).as(gold).isNotEmpty();
            assertThat(AnswerNormalizer.normalize(norm)).as(gold).isEqualTo(norm);
            assertThat(AnswerNormalizer.equivalent(gold, gold)).as(gold).isTrue();
            assertThat(AnswerNormalizer.equivalent(AnswerExtractor.extract("Answer: " + gold), gold)).as(gold).isTrue();
            assertThat(AnswerNormalizer.equivalent("\\boxed{" + gold + "}", gold)).as(gold).isTrue();
            String boxed = AnswerExtractor.lastBoxed(row.get("solution").asText());
            if (boxed != null && AnswerNormalizer.equivalent(boxed, gold)) boxedAgrees++;
            assertThat(Problem.fromJson(row).gold()).isEqualTo(gold);
        }
        // the answer field is the solution's last \boxed{} in almost every problem (a few box several parts)
        assertThat(boxedAgrees).isGreaterThanOrEqualTo(480);
    }
}
