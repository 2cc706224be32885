package dev.dca.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.util.Utils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DJL never downloads: the build runs it offline (where any attempt to fetch natives throws) and the PyTorch CPU
 * natives come from the pytorch-native-cpu jar on the class path, extracted into DJL's cache.
 */
class DjlOfflineTest {

    @Test
    void the_pytorch_engine_starts_offline_from_the_bundled_native_jar() throws IOException {
        assertThat(System.getProperty("ai.djl.offline")).as("surefire and ./dca set ai.djl.offline").isEqualTo("true");
        assertThat(Utils.isOfflineMode()).isTrue();
        assertThat(getClass().getClassLoader().getResource("native/lib/pytorch.properties"))
                .as("the native jar is on the class path").isNotNull();
        Engine engine = Engine.getEngine("PyTorch");
        assertThat(engine.getVersion()).isEqualTo("2.7.1");
        try (NDManager m = engine.newBaseManager()) {
            assertThat(m.create(new float[] {1, 2, 3}).sum().getFloat()).isEqualTo(6f);
        }
        // the loaded libtorch is the one extracted from the jar (its folder names the jar's cpu flavour)
        Path cache = Utils.getEngineCacheDir("pytorch");
        try (Stream<Path> dirs = Files.list(cache)) {
            assertThat(dirs.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("2.7.1") && n.contains("cpu"));
        }
    }
}
