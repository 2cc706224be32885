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
    void logprob_is_log_softmax() {
        double z = 0;
        for (float v : LOGITS) z += Math.exp(v);
        assertThat((double) Sampler.logprob(LOGITS, 2)).isCloseTo(3.9 - Math.log(z), org.assertj.core.data.Offset.offset(1e-6));
    }
}
