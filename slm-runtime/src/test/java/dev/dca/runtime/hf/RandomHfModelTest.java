package dev.dca.runtime.hf;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.model.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomHfModelTest {

    @TempDir
    Path dir;

    @Test
    void writes_a_loadable_bf16_model_of_the_config_shape() {
        Path config = SharedFixtures.require("models/tiny-arch/qwen2-hf");
        Path out = RandomHfModel.write(config, dir.resolve("random"), Tensor.DType.BF16, 1);
        try (LanguageModel m = ModelLoader.load(out, LoadOptions.DEFAULT.withMaxBatch(1))) {
            assertThat(m.info().architecture()).isEqualTo("qwen2");
            assertThat(m.info().tensorTypes()).containsOnlyKeys("BF16");
            assertThat(m.info().computeDtype()).isEqualTo("f32"); // BF16 is widened: DJL 0.35.1 has no bf16 tensors
            assertThat(m.generate(GenerationRequest.builder(new int[] {1, 5, 9}).maxTokens(4).build()).tokens()).isNotEmpty();
        }
        assertThatThrownBy(() -> ModelLoader.load(out, LoadOptions.DEFAULT.withDtype("bf16")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bf16 compute is not available");
    }
}
