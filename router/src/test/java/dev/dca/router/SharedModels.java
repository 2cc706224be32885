package dev.dca.router;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates fixtures in ../shared (system property {@code dca.shared}); tests skip when they are absent. */
final class SharedModels {

    private SharedModels() {}

    static Path shared() {
        String p = System.getProperty("dca.shared");
        return p != null ? Path.of(p) : Path.of("..", "..", "shared");
    }

    /** The llama2.c stories260K folder (no chat template: the plain fallback format applies). */
    static Path stories260K() {
        Path p = shared().resolve("models/stories260K");
        assumeTrue(Files.isRegularFile(p.resolve("stories260K.bin")), "../shared/models/stories260K is absent");
        return p;
    }
}
