package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user-facing failures and the holdout export of {@code dca train}; training itself is tested in foundry. */
class TrainCommandTest {

    @Test
    void should_require_an_output_folder() {
        CliRunner.Result r = CliRunner.run("", "train");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("dca: --out DIR is required");
    }

    @Test
    void should_name_an_unknown_config_key_in_one_line(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"hidenSize\": 64}");
        CliRunner.Result r = CliRunner.run("", "train", "--config", cfg.toString(), "--out", dir.resolve("m").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("dca: ").contains("hidenSize").doesNotContain("\n");
    }

    @Test
    void should_refuse_to_resume_when_there_is_no_checkpoint(@TempDir Path dir) {
        CliRunner.Result r = CliRunner.run("", "train", "--out", dir.toString(), "--resume");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to resume");
    }

    @Test
    void holdout_should_write_gsm8k_jsonl(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("holdout.jsonl");
        CliRunner.Result r = CliRunner.run("", "train", "holdout", "--out", f.toString(), "-n", "7");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllLines(f)).hasSize(7).allMatch(l -> l.startsWith("{") && l.contains("\"question\"") && l.contains("#### "));
    }
}
