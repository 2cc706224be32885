package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@code dca ...} in-process with piped stdin, capturing stdout and stderr. */
final class CliRunner {

    record Result(int exitCode, String out, String err) {

        /** Standard output as JSON, once the command is checked to have succeeded (its stderr names the failure). */
        JsonNode json() throws IOException {
            assertThat(exitCode).as(err).isZero();
            return new ObjectMapper().readTree(out);
        }
    }

    private CliRunner() {}

    static Path stories260K() {
        Path p = Path.of(System.getProperty("dca.shared", "../../shared"), "models", "stories260K");
        assumeTrue(Files.isRegularFile(p.resolve("stories260K.bin")), "../shared/models/stories260K is absent");
        return p;
    }

    static synchronized Result run(String stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Dca.execute(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }
}
