package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    @Test
    void should_print_the_json_report_for_a_builtin_dataset() throws Exception {
        String model = CliRunner.stories260K().toString();
        CliRunner.Result r = CliRunner.run("", "eval", "--dataset", "builtin:arith-sample", "--model", model,
                "--effort", "low", "--max-reasoning-tokens", "24", "--limit", "2", "--json");
        JsonNode j = r.json();
        assertThat(j.get("n").asInt()).isEqualTo(2);
        assertThat(j.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("mean_reasoning_tokens").asDouble()).isBetween(1.0, 24.0);
        assertThat(j.get("seconds_per_problem").asDouble()).isPositive();
    }

    @Test
    void builtin_holdout_comes_from_the_foundry_held_out_families_with_numeric_gold_answers() {
        var problems = EvalCommand.holdout(50);
        assertThat(problems).hasSize(50);
        assertThat(problems).allSatisfy(p -> {
            assertThat(p.gold()).matches("-?[0-9]+(\\.[0-9]+)?");
            assertThat(p.question()).isNotBlank();
        });
        // deterministic: the same set every time, so scores are comparable across runs
        assertThat(EvalCommand.holdout(5)).isEqualTo(problems.subList(0, 5));
    }

    @Test
    void builtin_fresh_draws_new_problems_of_the_trained_families_only() {
        var problems = EvalCommand.fresh(40);
        var heldOut = dev.dca.foundry.curriculum.ArithmeticProblems.HOLDOUT_FAMILIES;
        assertThat(problems).hasSize(40).allSatisfy(p -> {
            assertThat(p.gold()).matches("-?[0-9]+");
            assertThat(heldOut).noneMatch(f -> p.id().endsWith("-" + f));
        });
        assertThat(problems.stream().map(p -> p.id().replaceAll("^fresh-\\d+-", "")).distinct().count()).isGreaterThan(5);
        assertThat(EvalCommand.fresh(3)).isEqualTo(problems.subList(0, 3));
    }

    @Test
    void should_sweep_budgets_and_draw_the_plot(@TempDir Path dir) throws Exception {
        String model = CliRunner.stories260K().toString();
        Path png = dir.resolve("sweep.png");
        CliRunner.Result r = CliRunner.run("", "eval", "--dataset", "builtin:arith-sample", "--model", model,
                "--strategy", "cot", "--max-reasoning-tokens", "24", "--limit", "1", "--sweep", "--plot", png.toString(), "--json");
        JsonNode j = r.json();
        assertThat(j.isArray()).isTrue();
        assertThat(j).hasSize(2); // 16, 24
        assertThat(j.get(0).get("max_reasoning_tokens").asInt()).isEqualTo(16);
        assertThat(Files.size(png)).isPositive();
    }

    @Test
    void should_reject_bad_arguments_with_one_line() {
        CliRunner.Result r = CliRunner.run("", "eval", "--dataset", "builtin:nope");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("dca: ").contains("arith-sample").doesNotContain("\n");
        CliRunner.Result s = CliRunner.run("", "eval", "--dataset", "builtin:arith-sample", "--strategy", "magic");
        assertThat(s.exitCode()).isEqualTo(2);
        assertThat(s.err()).contains("unknown strategy");
        CliRunner.Result p = CliRunner.run("", "eval", "--dataset", "builtin:arith-sample", "--plot", "x.png");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.err()).contains("--plot needs --sweep");
        CliRunner.Result c = CliRunner.run("", "eval", "--dataset", "builtin:arith-sample", "--calculator", "maybe");
        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err()).contains("--calculator must be on or off");
        CliRunner.Result v = CliRunner.run("", "eval", "--dataset", "builtin:arith-sample", "--verifier", "oracle");
        assertThat(v.exitCode()).isEqualTo(2);
        assertThat(v.err().strip()).startsWith("dca: ").contains("unknown verifier 'oracle'").doesNotContain("\n");
    }
}
