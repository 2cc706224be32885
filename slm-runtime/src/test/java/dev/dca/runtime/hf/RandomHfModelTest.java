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
            // auto keeps a BF16 file in BF16 where the Java kernels run (Java 22+ with the Vector API), else widens it
            boolean kernels = Runtime.version().feature() >= 22 && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
            assertThat(m.info().computeDtype()).isEqualTo(kernels ? "bf16" : "f32");
            assertThat(m.generate(GenerationRequest.builder(new int[] {1, 5, 9}).maxTokens(4).build()).tokens()).isNotEmpty();
        }
        try (LanguageModel m = ModelLoader.load(out, LoadOptions.DEFAULT.withMaxBatch(1).withDtype("f32"))) {
            assertThat(m.info().computeDtype()).isEqualTo("f32");
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            assertThatThrownBy(() -> ModelLoader.load(out, LoadOptions.DEFAULT.withDtype("bf16")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bf16 needs Java 22+");
        }
    }
}
