package dev.dca.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** stories260K (llama2.c v0 checkpoint) against llama2.c's run.c: tokens, greedy continuations and logits. */
class Stories260kTest {

    private static LanguageModel model;
    private static JsonNode reference;

    @BeforeAll
    static void load() {
        reference = EngineFixtures.json("models/stories260K/reference/llama2c-greedy.json");
        model = ModelLoader.load(EngineFixtures.require("models/stories260K/stories260K.bin"), LoadOptions.DEFAULT.withMaxBatch(8));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void tokenizer_encodes_each_prompt_with_bos_like_run_c() {
        for (JsonNode c : reference.get("cases")) {
            assertThat(model.tokenizer().encode(c.get("prompt").asText(), true))
                    .as(c.get("prompt").asText()).containsExactly(EngineFixtures.ints(c.get("prompt_tokens")));
        }
    }

    @Test
    void greedy_generation_reproduces_all_six_cases_batched_together() {
        List<GenerationRequest> requests = new ArrayList<>();
        for (JsonNode c : reference.get("cases")) {
            requests.add(GenerationRequest.builder(EngineFixtures.ints(c.get("prompt_tokens")))
                    .maxTokens(c.get("generated_tokens").size()).build());
        }
        List<Generation> out = model.generate(requests);
        for (int i = 0; i < out.size(); i++) {
            JsonNode c = reference.get("cases").get(i);
            assertThat(out.get(i).tokens()).as("case %d", i).containsExactly(EngineFixtures.ints(c.get("generated_tokens")));
            // run.c prints the prompt, then the pieces; after BOS it drops the leading space of the first piece
            String text = c.get("prompt").asText().isEmpty() ? out.get(i).text().stripLeading() : c.get("prompt").asText() + out.get(i).text();
            assertThat(text).as("case %d", i).isEqualTo(c.get("text").asText());
        }
    }

    @Test
    void logits_of_the_first_48_positions_of_case_0_match_within_1e_4() {
        JsonNode c = reference.get("cases").get(0);
        int[] prompt = EngineFixtures.ints(c.get("prompt_tokens"));
        int[] gen = EngineFixtures.ints(c.get("generated_tokens"));
        int[] seq = Arrays.copyOf(prompt, prompt.length + gen.length);
        System.arraycopy(gen, 0, seq, prompt.length, gen.length);
        int n = c.get("logits").size();
        float[][] logits = model.logits(Arrays.copyOf(seq, n));
        assertThat(EngineFixtures.maxRelativeError(logits, c.get("logits"))).isLessThanOrEqualTo(1e-4);
    }
}
