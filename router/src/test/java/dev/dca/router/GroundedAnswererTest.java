package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.ModelInfo;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroundedAnswererTest {

    private static final String QUESTION = "Which instrument does Hana Lumfa play?";
    private static final List<Passage> SOURCES = List.of(
            new Passage("hana-lumfa.md", "", "Hana Lumfa plays the drums. Hana Lumfa works as a pilot.", 1, 1));

    /** Greedy requests get {@code first}; sampled ones get {@code samples} in order, with the log-probs given. */
    private static final class Scripted implements LanguageModel {
        final FakeLanguageModel base = new FakeLanguageModel(4096, p -> "");
        final List<GenerationRequest> requests = new ArrayList<>();
        final String first;
        final List<String> samples;
        final float[] logprobs;

        Scripted(String first, List<String> samples, float... logprobs) {
            this.first = first;
            this.samples = samples;
            this.logprobs = logprobs;
        }

        @Override
        public List<Generation> generate(List<GenerationRequest> rs, GenerationListener listener) {
            GenerationRequest r = rs.get(0);
            requests.add(r);
            List<Generation> out = new ArrayList<>();
            for (int s = 0; s < r.n(); s++) {
                String text = r.sampling().greedy() ? first : samples.get(s);
                int[] tokens = tokenizer().encode(text, false);
                float[] lp = null;
                if (r.logprobs()) {
                    lp = new float[tokens.length];
                    java.util.Arrays.fill(lp, r.sampling().greedy() ? 0 : logprobs[s]);
                }
                out.add(new Generation(0, s, r.promptTokens().length, tokens, lp, text, Generation.FinishReason.STOP_TOKEN));
            }
            return out;
        }

        @Override public ModelInfo info() { return base.info(); }
        @Override public Tokenizer tokenizer() { return base.tokenizer(); }
        @Override public Optional<ChatTemplate> chatTemplate() { return Optional.empty(); }
        @Override public SamplingParams defaultSampling() { return SamplingParams.GREEDY; }
        @Override public float[][] logits(int[] tokens) { return base.logits(tokens); }
        @Override public void close() {}
    }

    private static GroundedAnswerer.Result answer(Scripted m, GroundedAnswerer.Settings s) {
        GenerationRequest r = GenerationRequest.builder(new int[] {1, 5, 6}).maxTokens(40).build();
        return new GroundedAnswerer(m, s).answer(r, QUESTION, SOURCES, () -> false);
    }

    @Test
    void a_supported_first_reply_is_shown_without_more_samples() {
        Scripted m = new Scripted("Hana Lumfa plays the drums [1].", List.of());
        GroundedAnswerer.Result r = answer(m, GroundedAnswerer.Settings.DEFAULT);
        assertThat(r.text()).isEqualTo("Hana Lumfa plays the drums [1].");
        assertThat(r.candidates()).isEqualTo(1);
        assertThat(r.hiddenTokens()).isZero();
        assertThat(m.requests).hasSize(1);
        assertThat(m.requests.get(0).sampling().copyBias()).isEqualTo(GroundedAnswerer.Settings.DEFAULT.copyBias());
    }

    @Test
    void a_decline_with_the_answer_in_the_sources_is_replaced_by_the_likeliest_supported_sample() {
        Scripted m = new Scripted(GroundedPrompt.DONT_KNOW, List.of(
                "Hana Lumfa plays the banjo [1].",   // made up
                "Hana Lumfa plays the drums [1].",   // supported, less likely
                "Hana Lumfa plays the drums. [1]",   // supported, likelier
                "Omar plays the drums [1]."),        // a name from nowhere
                -0.1f, -2f, -0.5f, -0.2f);
        GroundedAnswerer.Result r = answer(m, new GroundedAnswerer.Settings(5, 4, 0.8, 1.0));
        assertThat(r.text()).isEqualTo("Hana Lumfa plays the drums. [1]");
        assertThat(r.candidates()).isEqualTo(5);
        assertThat(r.support().supported(1.0)).isTrue();
        int all = GroundedPrompt.DONT_KNOW.length() + m.samples.stream().mapToInt(String::length).sum();
        assertThat(r.hiddenTokens()).isEqualTo(all - r.text().length()); // one token per character
        GenerationRequest extra = m.requests.get(1);
        assertThat(extra.n()).isEqualTo(4);
        assertThat(extra.sampling().temperature()).isEqualTo(0.8);
        assertThat(extra.sampling().seed()).as("a greedy question stays reproducible").isEqualTo(0L);
        assertThat(extra.logprobs()).isTrue();
    }

    @Test
    void with_nothing_supported_the_answer_is_the_decline() {
        Scripted m = new Scripted("Hana Lumfa plays the cello [1].", List.of("Hana Lumfa plays the harp [1].", "Hana Lumfa is a pilot [2]."), -1f, -1f);
        GroundedAnswerer.Result r = answer(m, new GroundedAnswerer.Settings(5, 2, 0.8, 1.0));
        assertThat(r.text()).isEqualTo(GroundedPrompt.DONT_KNOW);
        assertThat(r.shown()).isNull();
        assertThat(r.support()).isNull();
    }

    @Test
    void off_shows_the_first_reply_as_it_is() {
        Scripted m = new Scripted("Hana Lumfa plays the cello [1].", List.of());
        GroundedAnswerer.Result r = answer(m, GroundedAnswerer.Settings.OFF);
        assertThat(r.text()).isEqualTo("Hana Lumfa plays the cello [1].");
        assertThat(m.requests).hasSize(1);
        assertThat(m.requests.get(0).sampling().copyBias()).isZero();
    }
}
