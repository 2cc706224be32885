package dev.dca.runtime.gguf;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.dca.runtime.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random truncations and bit flips: every mutated file must either load completely (header, config, every tensor
 * dequantized) or fail with a {@link ModelFormatException}; any other exception or error fails the test.
 */
class GgufFuzzTest {

    @TempDir
    Path tmp;

    @Test
    void mutatedTinyQ8Files() throws Exception {
        fuzz(Files.readAllBytes(TinyGguf.write(tmp.resolve("tiny.gguf"), GgmlType.Q8_0)), 300, 1);
    }

    @Test
    void mutatedStories260K() throws Exception {
        fuzz(Files.readAllBytes(SharedFixtures.require("models/stories260K-gguf/stories260K-F16.gguf")), 150, 2);
    }

    private void fuzz(byte[] original, int cases, long seed) throws Exception {
        Random r = new Random(seed);
        int header = headerLength(original);
        int loaded = 0, rejected = 0;
        Path f = tmp.resolve("mutant.gguf");
        for (int c = 0; c < cases; c++) {
            byte[] b;
            String what;
            if (c % 3 == 0) {
                int len = r.nextInt(original.length);
                b = java.util.Arrays.copyOf(original, len);
                what = "truncated to " + len;
            } else {
                b = original.clone();
                int flips = 1 + r.nextInt(4);
                StringBuilder sb = new StringBuilder("bit flips at");
                for (int k = 0; k < flips; k++) {
                    // mostly in the header, where the structure is
                    int at = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(header);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                    sb.append(' ').append(at);
                }
                what = sb.toString();
            }
            Files.write(f, b);
            try (GgufModelFiles m = GgufModelFiles.open(f)) {
                for (String n : m.tensorNames()) {
                    m.tensor(n);
                    m.storedType(n).orElseThrow();
                    m.storedBytes(n).orElseThrow(); // what the engine holds as stored
                }
                m.storedTensorTypes();
                m.stopTokenIds();
                m.tokenizer().ifPresent(t -> t.encode("Once upon a time", true));
                m.chatTemplate();
                loaded++;
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).as(what).startsWith(f.toString()).doesNotContain("\n");
                rejected++;
            } catch (Throwable t) {
                fail("case " + c + " (" + what + ") threw " + t, t);
            }
        }
        System.out.printf("GGUF fuzz (seed %d): %d mutants, %d loaded, %d rejected with a one-line error%n", seed, cases, loaded, rejected);
        assertThat(rejected).isPositive();
        assertThat(loaded + rejected).isEqualTo(cases);
    }

    private static int headerLength(byte[] b) throws Exception {
        Path p = Files.createTempFile("gguf", ".gguf");
        try {
            Files.write(p, b);
            try (GgufFile g = GgufReader.open(p)) {
                return (int) g.dataOffset();
            }
        } finally {
            Files.delete(p);
        }
    }
}
