package dev.dca.runtime.engine;

import dev.dca.runtime.SharedFixtures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The shared fixtures (../shared) for engine tests; tests skip when a file is absent. */
public final class EngineFixtures {

    private EngineFixtures() {}

    /** A file under shared/, or the test is skipped. */
    static Path require(String relative) {
        return SharedFixtures.require(relative);
    }

    static JsonNode json(String relative) {
        try {
            return new ObjectMapper().readTree(require(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    /**
     * Largest normwise relative error over positions: max over t of max_v |actual - ref| / max_v |ref|. Normwise
     * rather than per element because logits near zero have no meaningful element-wise relative error.
     */
    public static double maxRelativeError(float[][] actual, JsonNode reference) {
        double worst = 0;
        for (int t = 0; t < reference.size(); t++) {
            JsonNode row = reference.get(t);
            double diff = 0, scale = 0;
            for (int v = 0; v < row.size(); v++) {
                double r = row.get(v).asDouble();
                diff = Math.max(diff, Math.abs(actual[t][v] - r));
                scale = Math.max(scale, Math.abs(r));
            }
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }
}
