package dev.dca.foundry.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {

    private static final Path CONFIGS = Path.of(System.getProperty("user.dir")).resolve("configs");

    @Test
    void the_shipped_config_files_should_equal_the_built_in_configs() throws Exception {
        assertThat(TrainConfig.read(CONFIGS.resolve("default.json"))).isEqualTo(TrainConfig.DEFAULT);
        assertThat(TrainConfig.read(CONFIGS.resolve("tiny.properties"))).isEqualTo(TrainConfig.TINY);
    }

    @Test
    void keys_left_out_should_keep_the_defaults_and_nested_mix_keys_should_merge(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"steps\": 10, \"warmupSteps\": 2, \"mix\": {\"chat\": 0.5}}");
        TrainConfig c = TrainConfig.read(f);
        assertThat(c.steps()).isEqualTo(10);
        assertThat(c.hiddenSize()).isEqualTo(TrainConfig.DEFAULT.hiddenSize());
        assertThat(c.mix().chat()).isEqualTo(0.5);
        assertThat(c.mix().arithmetic()).isEqualTo(TrainConfig.DEFAULT.mix().arithmetic());
    }

    @Test
    void bad_files_should_fail_with_a_message_naming_the_problem(@TempDir Path dir) throws Exception {
        Path unknown = dir.resolve("u.json");
        Files.writeString(unknown, "{\"stepz\": 10}");
        assertThatThrownBy(() -> TrainConfig.read(unknown)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stepz");
        Path broken = dir.resolve("b.json");
        Files.writeString(broken, "{\"steps\": ");
        assertThatThrownBy(() -> TrainConfig.read(broken)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        Path invalid = dir.resolve("i.properties");
        Files.writeString(invalid, "numHeads=7\n");
        assertThatThrownBy(() -> TrainConfig.read(invalid)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numHeads");
        assertThatThrownBy(() -> TrainConfig.read(dir.resolve("missing.json"))).hasMessageContaining("not found");
    }

    @Test
    void the_schedule_should_warm_up_linearly_then_decay_by_cosine_to_the_floor() {
        TrainConfig c = TrainConfig.DEFAULT;
        var s = Trainer.schedule(c);
        assertThat(s.getNewValue(0)).isLessThan((float) c.lr() / 10);
        assertThat(s.getNewValue(c.warmupSteps() / 2)).isCloseTo((float) c.lr() / 2, org.assertj.core.data.Offset.offset((float) c.lr() / 20));
        assertThat(s.getNewValue(c.warmupSteps())).isCloseTo((float) c.lr(), org.assertj.core.data.Offset.offset((float) c.lr() / 100));
        int mid = c.warmupSteps() + (c.steps() - c.warmupSteps()) / 2;
        float expectedMid = (float) (c.lr() * c.minLrRatio() + (c.lr() - c.lr() * c.minLrRatio()) / 2);
        assertThat(s.getNewValue(mid)).isCloseTo(expectedMid, org.assertj.core.data.Offset.offset((float) c.lr() / 50));
        assertThat(s.getNewValue(c.steps() - 1)).isCloseTo((float) (c.lr() * c.minLrRatio()), org.assertj.core.data.Offset.offset((float) c.lr() / 50));
    }
}
