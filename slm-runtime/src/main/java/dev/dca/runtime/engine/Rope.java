package dev.dca.runtime.engine;

import dev.dca.runtime.model.ModelConfig;

/**
 * Rotary position embedding frequencies in Hugging Face's rotate-half convention: dimension pair
 * {@code (i, i + rotaryDim/2)} of each head turns by angle {@code position * invFreq[i]}.
 *
 * <p>Angles are computed on the host in double precision (the references are float64) and only the cos/sin rows
 * of the positions in a step are uploaded: a few KB per step, cheaper than keeping and gathering device tables.
 */
final class Rope {

    /** [rotaryDim / 2] */
    private final double[] invFreq;

    Rope(ModelConfig c, float[] freqDivisors) {
        int half = c.rotaryDim() / 2;
        invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            invFreq[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.rotaryDim());
        }
        if (freqDivisors != null) {
            // llama.cpp's rope_freqs.weight: per-frequency divisors that already encode llama3 scaling
            if (freqDivisors.length != half) {
                throw new IllegalArgumentException("rope_freqs has " + freqDivisors.length + " values, expected " + half);
            }
            for (int i = 0; i < half; i++) invFreq[i] /= freqDivisors[i];
        } else if (c.ropeScaling() != null) {
            applyLlama3(c.ropeScaling());
        }
    }

    /** transformers' {@code _compute_llama3_parameters}. */
    private void applyLlama3(ModelConfig.RopeScaling s) {
        double lowWavelen = s.originalContextLength() / (double) s.lowFreqFactor();
        double highWavelen = s.originalContextLength() / (double) s.highFreqFactor();
        for (int i = 0; i < invFreq.length; i++) {
            double f = invFreq[i];
            double wavelen = 2 * Math.PI / f;
            if (wavelen > lowWavelen) {
                invFreq[i] = f / s.factor();
            } else if (wavelen >= highWavelen) {
                double smooth = (s.originalContextLength() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                invFreq[i] = (1 - smooth) * f / s.factor() + smooth * f;
            }
        }
    }

    int half() {
        return invFreq.length;
    }

    /** Fills cos and sin for {@code positions} into [positions.length][half] row-major arrays. */
    void fill(int[] positions, float[] cos, float[] sin) {
        int h = invFreq.length;
        for (int p = 0; p < positions.length; p++) {
            for (int i = 0; i < h; i++) {
                double a = positions[p] * invFreq[i];
                cos[p * h + i] = (float) Math.cos(a);
                sin[p * h + i] = (float) Math.sin(a);
            }
        }
    }
}
