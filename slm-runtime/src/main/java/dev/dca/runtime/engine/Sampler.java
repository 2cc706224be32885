package dev.dca.runtime.engine;

import dev.dca.runtime.SamplingParams;
import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from raw logits. Randomness is passed in, so one seed gives one output.
 *
 * <p>Order as documented on {@link SamplingParams}: copy bias (toward continuing a run of the prompt), repetition
 * penalty (over {@code history}), temperature, top-k, top-p, min-p, then a draw from what is left. Greedy
 * ({@code temperature == 0}) is the argmax after the bias and the penalty.
 */
@FunctionalInterface
public interface Sampler {

    /**
     * @param logits raw logits of one position [V]; not modified
     * @param history ids already in the sequence (prompt and generated), first {@code historyLength} used
     */
    int sample(float[] logits, int[] history, int historyLength, Random rng);

    /** A sampler for sequences without a prompt to copy from (the copy bias has nothing to apply to). */
    static Sampler of(SamplingParams p) {
        return of(p, 0);
    }

    /** @param promptLength the first {@code promptLength} ids of every history are the prompt (the copy bias's source) */
    static Sampler of(SamplingParams p, int promptLength) {
        return (logits, history, historyLength, rng) -> {
            float[] x = logits;
            if (p.copyBias() > 0) {
                int[] next = copyCandidates(history, historyLength, promptLength, SamplingParams.COPY_MIN_RUN);
                if (next.length > 0) {
                    float floor = x[argmax(x)] - (float) SamplingParams.COPY_WINDOW;
                    x = logits.clone();
                    for (int id : next) if (id >= 0 && id < x.length && logits[id] >= floor) x[id] = logits[id] + (float) p.copyBias();
                }
            }
            if (p.repetitionPenalty() != 1) {
                if (x == logits) x = logits.clone();
                boolean[] seen = new boolean[x.length];
                for (int i = 0; i < historyLength; i++) {
                    int id = history[i];
                    if (id < 0 || id >= x.length || seen[id]) continue;
                    seen[id] = true;
                    x[id] = x[id] > 0 ? (float) (x[id] / p.repetitionPenalty()) : (float) (x[id] * p.repetitionPenalty());
                }
            }
            if (p.greedy()) return argmax(x);
            return draw(x, p, rng);
        };
    }

    /**
     * Temperature, top-k, top-p, min-p and the draw, over the tokens in descending logit order (ties by id). Only
     * the head of that order matters, so it sorts just the tokens within a factor of the best one, widening the
     * cut until the filters are decided inside it: a peaked distribution sorts a few dozen tokens instead of the
     * whole vocabulary (sorting 49k boxed indices per token cost ~11 ms; this costs ~0.3 ms).
     */
    private static int draw(float[] x, SamplingParams p, Random rng) {
        int n = x.length;
        float max = x[argmax(x)];
        double invT = 1 / p.temperature();
        double[] e = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) total += e[i] = Math.exp((x[i] - max) * invT);
        int k = p.topK() > 0 ? Math.min(p.topK(), n) : n;
        for (double floor : new double[] {1e-4, 1e-12, 0}) {
            int[] order = headByLogit(x, e, floor);
            boolean all = order.length == n;
            if (!all && order.length < k && k < n) continue; // the top-k boundary lies beyond the cut
            int keep = Math.min(k, order.length);
            double norm = 0;
            if (k == n) norm = total;
            else for (int i = 0; i < keep; i++) norm += e[order[i]];
            boolean decided = all || k < n;
            double[] prob = new double[keep];
            for (int i = 0; i < keep; i++) prob[i] = e[order[i]] / norm;
            if (p.topP() < 1) { // smallest prefix whose mass reaches top_p (at least one token)
                double cum = 0;
                for (int i = 0; i < keep; i++) {
                    cum += prob[i];
                    if (cum >= p.topP()) {
                        keep = i + 1;
                        decided = true;
                        break;
                    }
                }
            }
            if (p.minP() > 0) { // drop tokens below min_p times the top probability
                double cutBelow = p.minP() * prob[0];
                int cut = 1;
                while (cut < keep && prob[cut] >= cutBelow) cut++;
                if (cut < keep || floor <= cutBelow * norm) decided = true; // unseen ids (e < floor) fail min-p too
                keep = cut;
            }
            if (!decided) continue;
            double mass = 0;
            for (int i = 0; i < keep; i++) mass += prob[i];
            double r = rng.nextDouble() * mass;
            for (int i = 0; i < keep; i++) {
                r -= prob[i];
                if (r < 0) return order[i];
            }
            return order[keep - 1];
        }
        throw new AssertionError("the last cut takes every token, which always decides");
    }

    /** Ids with {@code e[id] >= floor} (all of them once the floor is tiny), by descending logit, ties by id. */
    private static int[] headByLogit(float[] x, double[] e, double floor) {
        int n = x.length, m = 0;
        boolean everything = floor == 0;
        int[] ids = new int[n], keys = new int[n];
        for (int i = 0; i < n; i++) {
            if (!everything && e[i] < floor) continue;
            int bits = Float.floatToIntBits(x[i]);
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // int order == float order
            ids[m] = i;
            keys[m++] = ~ascending ^ Integer.MIN_VALUE; // unsigned ascending == logit descending
        }
        return radixOrder(keys, ids, m);
    }

    /**
     * ids[0, m) ordered by unsigned keys ascending, ties kept in their given (id) order: four stable passes of 8 bits.
     * Why by hand: the JDK has no stable primitive sort by key, and a random-weight or high-temperature model's flat
     * distribution makes top-p sort nearly the whole vocabulary for every row of every step (49k packed longs through
     * {@code Arrays.sort}: ~3 ms; this: ~0.5 ms). A peaked distribution's few dozen candidates cost microseconds
     * either way.
     */
    private static int[] radixOrder(int[] keys, int[] ids, int m) {
        int[] k2 = new int[m], i2 = new int[m];
        int[] count = new int[257];
        for (int shift = 0; shift < 32; shift += 8) {
            Arrays.fill(count, 0);
            for (int j = 0; j < m; j++) count[((keys[j] >>> shift) & 0xff) + 1]++;
            if (count[((keys[0] >>> shift) & 0xff) + 1] == m) continue; // every key shares this byte
            for (int b = 0; b < 256; b++) count[b + 1] += count[b];
            for (int j = 0; j < m; j++) {
                int at = count[(keys[j] >>> shift) & 0xff]++;
                k2[at] = keys[j];
                i2[at] = ids[j];
            }
            int[] t = keys;
            keys = k2;
            k2 = t;
            t = ids;
            ids = i2;
            i2 = t;
        }
        return m == ids.length ? ids : Arrays.copyOf(ids, m);
    }

    /**
     * The ids that follow, in the prompt ({@code history[0, promptLength)}), the longest run of at least
     * {@code minRun} tokens equal to the end of the generated part; several when that run occurs more than once
     * with different continuations. A plain scan: the prompts of a small model are a few hundred tokens.
     */
    static int[] copyCandidates(int[] history, int length, int promptLength, int minRun) {
        int generated = length - promptLength;
        if (generated < minRun || promptLength < minRun + 1) return new int[0];
        int best = minRun;
        int[] found = new int[4];
        int count = 0;
        for (int j = minRun - 1; j + 1 < promptLength; j++) { // the run would end at j, its continuation is j + 1
            int k = 0;
            while (k < generated && k <= j && history[j - k] == history[length - 1 - k]) k++;
            if (k < best) continue;
            if (k > best) {
                best = k;
                count = 0;
            }
            int id = history[j + 1];
            boolean dup = false;
            for (int i = 0; i < count; i++) dup |= found[i] == id;
            if (dup) continue;
            if (count == found.length) found = Arrays.copyOf(found, count * 2);
            found[count++] = id;
        }
        return Arrays.copyOf(found, count);
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
