package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.runtime.SamplingParams;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1f, 4f, 3.9f, -2f, 0f};

    private static Set<Integer> drawn(SamplingParams p, int draws) {
        Sampler s = Sampler.of(p);
        Random rng = new Random(1);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < draws; i++) seen.add(s.sample(LOGITS, new int[0], 0, rng));
        return seen;
    }

    @Test
    void greedy_is_the_argmax_and_top_k_1_is_too() {
        assertThat(Sampler.of(SamplingParams.GREEDY).sample(LOGITS, new int[0], 0, new Random())).isEqualTo(1);
        assertThat(drawn(SamplingParams.builder().temperature(1).topK(1).build(), 200)).containsExactly(1);
    }

    @Test
    void top_k_top_p_and_min_p_restrict_the_candidates() {
        assertThat(drawn(SamplingParams.builder().temperature(1).build(), 2000)).contains(0, 1, 2, 4);
        assertThat(drawn(SamplingParams.builder().temperature(1).topK(2).build(), 500)).containsExactlyInAnyOrder(1, 2);
        // p(1) ~ 0.48, p(2) ~ 0.44: top_p 0.9 keeps exactly those two
        assertThat(drawn(SamplingParams.builder().temperature(1).topP(0.9).build(), 500)).containsExactlyInAnyOrder(1, 2);
        // min_p 0.5: tokens below half the top probability go (exp(1-4) = 0.05 of it)
        assertThat(drawn(SamplingParams.builder().temperature(1).minP(0.5).build(), 500)).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void repetition_penalty_demotes_tokens_already_seen() {
        Sampler s = Sampler.of(SamplingParams.GREEDY.toBuilder().repetitionPenalty(1.5).build());
        assertThat(s.sample(LOGITS, new int[] {1}, 1, new Random())).isEqualTo(2); // 4 / 1.5 < 3.9
    }

    @Test
    void copy_candidates_continue_the_longest_run_of_the_prompt() {
        // prompt: 10 11 12 | 20 11 13 | 11 12 14 ; generated so far: 11 12
        int[] h = {10, 11, 12, 20, 11, 13, 11, 12, 14, 11, 12};
        int prompt = 9;
        // "11 12" occurs twice, followed by 20 and by 14; the single "12" would add nothing else
        assertThat(Sampler.copyCandidates(h, h.length, prompt, 1)).containsExactlyInAnyOrder(20, 14);
        // generated "20 11": the run "20 11" (length 2) beats every lone "11" (followed by 12, 13, 12)
        int[] h2 = {10, 11, 12, 20, 11, 13, 11, 12, 14, 20, 11};
        assertThat(Sampler.copyCandidates(h2, h2.length, prompt, 1)).containsExactly(13);
        // nothing generated yet, or a token the prompt lacks: no candidates
        assertThat(Sampler.copyCandidates(h, prompt, prompt, 1)).isEmpty();
        int[] h3 = {10, 11, 12, 99};
        assertThat(Sampler.copyCandidates(h3, 4, 3, 1)).isEmpty();
        // a run must lie in the generated part: with min run 2, one generated token is not enough
        int[] h4 = {10, 11, 12, 11};
        assertThat(Sampler.copyCandidates(h4, 4, 3, 2)).isEmpty();
    }

    @Test
    void copy_bias_lifts_a_continuation_of_the_prompt_the_model_does_not_rule_out() {
        float[] logits = new float[30];
        logits[5] = 4f;   // the model's favourite
        logits[13] = 1f;  // continues the prompt, 3 below: within the window
        logits[14] = -20f; // continues the prompt too, but the model rules it out
        int[] h = {10, 11, 13, 20, 11, 14, 11}; // prompt of 6, generated "11": continuations 13 and 14
        SamplingParams biased = SamplingParams.GREEDY.toBuilder().copyBias(5).build();
        assertThat(Sampler.of(biased, 6).sample(logits, h, h.length, new Random())).isEqualTo(13);
        assertThat(logits[13]).as("the logits are not modified").isEqualTo(1f);
        assertThat(Sampler.of(SamplingParams.GREEDY, 6).sample(logits, h, h.length, new Random())).isEqualTo(5);
        assertThat(Sampler.of(biased.toBuilder().copyBias(2).build(), 6).sample(logits, h, h.length, new Random()))
                .as("a bias smaller than the gap").isEqualTo(5);
        logits[13] = -20f; // now both continuations are out of the window
        assertThat(Sampler.of(biased, 6).sample(logits, h, h.length, new Random())).isEqualTo(5);
        assertThat(Sampler.of(biased).sample(logits, h, h.length, new Random())).as("no prompt: nothing to copy").isEqualTo(5);
    }

    @Test
    void logprob_is_log_softmax() {
        double z = 0;
        for (float v : LOGITS) z += Math.exp(v);
        assertThat((double) Sampler.logprob(LOGITS, 2)).isCloseTo(3.9 - Math.log(z), org.assertj.core.data.Offset.offset(1e-6));
    }

    /**
     * The sampler sorts only the head of the distribution; it must draw exactly what sorting the whole vocabulary
     * draws (the definition, written out below), for peaked and flat logits and every filter.
     */
    @Test
    void partial_sort_draws_exactly_what_a_full_sort_draws() {
        Random gen = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int n = trial % 50 == 49 ? 49152 : 50 + gen.nextInt(3000); // sometimes a real vocabulary's size
            float spread = new float[] {0.1f, 1f, 5f, 30f}[trial % 4]; // flat ... very peaked
            float[] logits = new float[n];
            for (int i = 0; i < n; i++) logits[i] = (float) (gen.nextGaussian() * spread);
            if (trial % 5 == 0) logits[gen.nextInt(n)] = logits[0]; // ties are broken by id
            SamplingParams p = SamplingParams.builder()
                    .temperature(0.2 + gen.nextDouble() * 1.5)
                    .topK(gen.nextBoolean() ? 0 : 1 + gen.nextInt(n))
                    .topP(gen.nextBoolean() ? 1 : 0.05 + gen.nextDouble() * 0.95)
                    .minP(gen.nextInt(3) == 0 ? gen.nextDouble() * 0.3 : 0)
                    .build();
            long seed = gen.nextLong();
            assertThat(Sampler.of(p).sample(logits, new int[0], 0, new Random(seed)))
                    .as("trial %d, %s", trial, p)
                    .isEqualTo(fullSortDraw(logits, p, new Random(seed)));
        }
    }

    private static int fullSortDraw(float[] x, SamplingParams p, Random rng) {
        int n = x.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Float.compare(x[b], x[a]));
        int keep = p.topK() > 0 ? Math.min(p.topK(), n) : n;
        double[] prob = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) sum += prob[i] = Math.exp((x[order[i]] - x[order[0]]) / p.temperature());
        for (int i = 0; i < keep; i++) prob[i] /= sum;
        if (p.topP() < 1) {
            double cum = 0;
            for (int i = 0; i < keep; i++) {
                if ((cum += prob[i]) >= p.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0) {
            int cut = 1;
            while (cut < keep && prob[cut] >= p.minP() * prob[0]) cut++;
            keep = cut;
        }
        double mass = 0;
        for (int i = 0; i < keep; i++) mass += prob[i];
        double r = rng.nextDouble() * mass;
        for (int i = 0; i < keep; i++) if ((r -= prob[i]) < 0) return order[i];
        return order[keep - 1];
    }
}
