package dev.dca.runtime.engine;

import dev.dca.runtime.SamplingParams;
import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from raw logits. Randomness is passed in, so one seed gives one output.
 *
 * <p>Order as documented on {@link SamplingParams}: repetition penalty (over {@code history}), temperature, top-k,
 * top-p, min-p, then a draw from what is left. Greedy ({@code temperature == 0}) is the argmax after the penalty.
 */
@FunctionalInterface
public interface Sampler {

    /**
     * @param logits raw logits of one position [V]; not modified
     * @param history ids already in the sequence (prompt and generated), first {@code historyLength} used
     */
    int sample(float[] logits, int[] history, int historyLength, Random rng);

    static Sampler of(SamplingParams p) {
        return (logits, history, historyLength, rng) -> {
            float[] x = logits;
            if (p.repetitionPenalty() != 1) {
                x = logits.clone();
                boolean[] seen = new boolean[x.length];
                for (int i = 0; i < historyLength; i++) {
                    int id = history[i];
                    if (id < 0 || id >= x.length || seen[id]) continue;
                    seen[id] = true;
                    x[id] = x[id] > 0 ? (float) (x[id] / p.repetitionPenalty()) : (float) (x[id] * p.repetitionPenalty());
                }
            }
            if (p.greedy()) return argmax(x);
            int n = x.length;
            // candidates sorted by logit, descending
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            final float[] xs = x;
            Arrays.sort(order, (a, b) -> Float.compare(xs[b], xs[a]));
            int keep = p.topK() > 0 ? Math.min(p.topK(), n) : n;
            double max = x[order[0]];
            double[] prob = new double[keep];
            double sum = 0;
            for (int i = 0; i < keep; i++) {
                prob[i] = Math.exp((x[order[i]] - max) / p.temperature());
                sum += prob[i];
            }
            for (int i = 0; i < keep; i++) prob[i] /= sum;
            if (p.topP() < 1) { // smallest prefix whose mass reaches top_p (at least one token)
                double cum = 0;
                int cut = keep;
                for (int i = 0; i < keep; i++) {
                    cum += prob[i];
                    if (cum >= p.topP()) {
                        cut = i + 1;
                        break;
                    }
                }
                keep = cut;
            }
            if (p.minP() > 0) { // drop tokens below min_p times the top probability
                double floor = p.minP() * prob[0];
                int cut = 1;
                while (cut < keep && prob[cut] >= floor) cut++;
                keep = cut;
            }
            double mass = 0;
            for (int i = 0; i < keep; i++) mass += prob[i];
            double r = rng.nextDouble() * mass;
            for (int i = 0; i < keep; i++) {
                r -= prob[i];
                if (r < 0) return order[i];
            }
            return order[keep - 1];
        };
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /** log softmax(x)[id], in double. */
    static float logprob(float[] x, int id) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) max = Math.max(max, v);
        double sum = 0;
        for (float v : x) sum += Math.exp(v - max);
        return (float) (x[id] - max - Math.log(sum));
    }
}
