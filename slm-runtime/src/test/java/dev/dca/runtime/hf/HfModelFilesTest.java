package dev.dca.runtime.hf;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.ModelFormatException;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfModelFilesTest {

    @TempDir
    Path dir;

    @Test
    void config_json_maps_to_the_model_config_for_each_architecture() {
        try (HfModelFiles q3 = HfModelFiles.open(SharedFixtures.require("models/tiny-arch/qwen3-hf"))) {
            ModelConfig c = q3.config();
            assertThat(c.qkNorm()).isTrue();
            assertThat(c.headDim()).isEqualTo(64);
            assertThat(c.tiedEmbeddings()).isTrue();
            assertThat(c.ropeTheta()).isEqualTo(1e6f);
        }
        try (HfModelFiles q2 = HfModelFiles.open(SharedFixtures.require("models/tiny-arch/qwen2-hf"))) {
            assertThat(q2.config().attentionBias()).isTrue();
        }
        try (HfModelFiles l3 = HfModelFiles.open(SharedFixtures.require("models/tiny-arch/llama3-hf"))) {
            assertThat(l3.config().ropeScaling()).isEqualTo(new ModelConfig.RopeScaling(8, 1, 4, 64));
            assertThat(l3.tokenizer()).isEmpty();
        }
    }

    @Test
    void generation_config_gives_the_sampling_defaults() throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(HfModelFiles.parseGenerationConfig(json.readTree("{\"bos_token_id\": 1}"))).isEqualTo(SamplingParams.GREEDY);
        SamplingParams p = HfModelFiles.parseGenerationConfig(json.readTree("{\"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.95}"));
        assertThat(p.temperature()).isEqualTo(0.6);
        assertThat(p.topP()).isEqualTo(0.95);
        assertThat(p.topK()).isEqualTo(50);
    }

    private Path copyOf(String rel) throws IOException {
        Path src = SharedFixtures.require(rel);
        Path out = dir.resolve("model");
        Files.createDirectories(out);
        try (var s = Files.list(src)) {
            for (Path p : s.toList()) Files.copy(p, out.resolve(p.getFileName()));
        }
        return out;
    }

    @Test
    void an_unknown_model_type_is_a_clear_error() throws IOException {
        Path m = copyOf("models/tiny-arch/qwen2-hf");
        Files.writeString(m.resolve("config.json"), Files.readString(m.resolve("config.json")).replace("\"qwen2\"", "\"gpt_neox\""));
        assertThatThrownBy(() -> HfModelFiles.open(m)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("unsupported model_type 'gpt_neox'");
    }

    @Test
    void a_config_that_disagrees_with_the_tensors_names_the_tensor() throws IOException {
        Path m = copyOf("models/tiny-arch/qwen2-hf");
        Files.writeString(m.resolve("config.json"), Files.readString(m.resolve("config.json")).replace("\"intermediate_size\": 512", "\"intermediate_size\": 640"));
        assertThatThrownBy(() -> HfModelFiles.open(m)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("mlp.gate_proj.weight").hasMessageContaining("[512, 256]");
    }

    @Test
    void a_truncated_weights_file_names_it() throws IOException {
        Path m = copyOf("models/tiny-random-llama/hf-f32");
        Path st = m.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(b, b.length - 1000));
        assertThatThrownBy(() -> HfModelFiles.open(m)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(st.toString()).hasMessageContaining("truncated");
    }

    @Test
    void a_folder_without_config_json_is_not_a_model() {
        assertThatThrownBy(() -> HfModelFiles.open(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("no config.json");
    }
}
