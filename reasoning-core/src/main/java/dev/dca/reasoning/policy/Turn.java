package dev.dca.reasoning.policy;

import java.util.Objects;

/** One conversation turn given to a policy: {@code system}, {@code user} or {@code assistant}. */
public record Turn(String role, String content) {
    public Turn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static Turn system(String c) { return new Turn("system", c); }
    public static Turn user(String c) { return new Turn("user", c); }
    public static Turn assistant(String c) { return new Turn("assistant", c); }
}
