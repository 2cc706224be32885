package dev.dca.reasoning.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.reasoning.Budget;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.search.SelfConsistency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {

    /**
     * Answers with the first number of the question times two, writing one step per token of budget. It writes whole
     * chains and ignores stop strings, so the tests turn the calculator tool (step-wise chains) off.
     */
    static final class Doubler implements Policy {
        @Override
        public List<Continuation> sample(PolicyRequest r) {
            String q = r.conversation().get(r.conversation().size() - 1).content();
            String n = AnswerExtractor.lastNumber(q.replaceAll("\\D+$", ""));
            List<Continuation> out = new ArrayList<>();
            for (int i = 0; i < r.n(); i++) {
                boolean enough = r.maxTokens() >= 4;
                String text = enough ? "double it\nAnswer: " + (2 * Integer.parseInt(n)) : "double";
                out.add(new Continuation(text, Math.min(r.maxTokens(), 4), null, null, enough));
            }
            return out;
        }

        @Override
        public int promptTokens(PolicyRequest r) {
            return 10;
        }
    }

    @Test
    void should_measure_accuracy_tokens_and_time_and_plot_a_sweep(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("d.jsonl");
        Files.writeString(data, """
                {"question": "What is double 3", "answer": "3 * 2 = <<3*2=6>>6\\n#### 6"}
                {"problem": "What is double 5", "answer": "10"}
                {"problem": "What is double 7", "solution": "so \\\\boxed{15}"}
                """);
        List<Problem> problems = Datasets.load(data.toString());
        assertThat(problems).extracting(Problem::gold).containsExactly("6", "10", "15");
        var report = Evaluator.run("t", problems, Reasoner.builder().policy(new Doubler()).calculator(null, false).strategy(new SelfConsistency(3))
                .budget(Budget.UNLIMITED).build(), null, null);
        assertThat(report.n()).isEqualTo(3);
        assertThat(report.accuracy()).isEqualTo(2.0 / 3);
        assertThat(report.meanReasoningTokens()).isEqualTo(12.0);
        assertThat(report.secondsPerProblem()).isPositive();
        var sweep = Evaluator.sweep(problems, List.of(Budget.builder().maxReasoningTokens(3).build(),
                Budget.builder().maxReasoningTokens(12).build()), b -> Reasoner.builder().policy(new Doubler()).calculator(null, false)
                .strategy(new SelfConsistency(3)).budget(b).build(), null);
        assertThat(sweep.get(0).meanReasoningTokens()).isLessThanOrEqualTo(3);
        assertThat(sweep.get(1).accuracy()).isGreaterThan(sweep.get(0).accuracy());
        Path png = dir.resolve("sweep.png");
        SweepPlot.write("test", sweep, png);
        assertThat(Files.size(png)).isPositive();
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void should_name_the_file_and_line_of_a_bad_dataset(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{not json\n");
        assertThatThrownBy(() -> Datasets.load(bad.toString())).hasMessageContaining("line 2").hasMessageContaining("not valid JSON");
        Path noGold = dir.resolve("nogold.jsonl");
        Files.writeString(noGold, "{\"question\": \"q\"}\n");
        assertThatThrownBy(() -> Datasets.load(noGold.toString())).hasMessageContaining("no gold answer");
        assertThatThrownBy(() -> Datasets.load(dir.resolve("missing.jsonl").toString())).hasMessageContaining("not found");
        Path binary = dir.resolve("bin.jsonl");
        Files.write(binary, new byte[3 << 20]);
        assertThatThrownBy(() -> Datasets.load(binary.toString())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Datasets.load("builtin:nope")).hasMessageContaining("arith-sample");
        assertThat(Datasets.load("builtin:arith-sample")).hasSize(12);
    }
}
