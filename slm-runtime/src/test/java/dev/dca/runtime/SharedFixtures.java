package dev.dca.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared (system property {@code dca.shared}) for every slm-runtime test; tests skip when a fixture is absent. */
public final class SharedFixtures {

    private SharedFixtures() {}

    public static Path root() {
        String p = System.getProperty("dca.shared");
        return p != null ? Path.of(p) : Path.of("..", "..", "shared").toAbsolutePath().normalize();
    }

    /** The fixture under shared/, or a skipped test when it is absent. */
    public static Path require(String relative) {
        Path f = root().resolve(relative);
        assumeTrue(Files.exists(f), "shared fixture absent: " + f);
        return f;
    }
}
