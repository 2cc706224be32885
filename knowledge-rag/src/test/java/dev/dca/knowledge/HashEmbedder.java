package dev.dca.knowledge;

import java.util.List;
import java.util.Locale;

/**
 * A fast deterministic stand-in for MiniLM in tests that are about indexing, not semantics: a hashed bag of
 * lower-cased words, normalised, so texts sharing words are close. {@code delayMillis} per call simulates a slow
 * model (for crash tests).
 */
class HashEmbedder implements Embedder {

    static final int DIM = 384;
    private final long delayMillis;

    HashEmbedder() {
        this(0);
    }

    HashEmbedder(long delayMillis) {
        this.delayMillis = delayMillis;
    }

    @Override
    public float[][] embed(List<String> texts) {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        float[][] out = new float[texts.size()][];
        for (int t = 0; t < out.length; t++) {
            float[] v = new float[DIM];
            for (String w : texts.get(t).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                if (!w.isEmpty()) v[Math.floorMod(w.hashCode(), DIM)] += 1;
            double norm = 0;
            for (float x : v) norm += x * x;
            if (norm == 0) v[0] = 1;
            else for (int i = 0; i < DIM; i++) v[i] /= (float) Math.sqrt(norm);
            out[t] = v;
        }
        return out;
    }

    @Override
    public int dimension() {
        return DIM;
    }

    @Override
    public String name() {
        return "test-hash";
    }
}
