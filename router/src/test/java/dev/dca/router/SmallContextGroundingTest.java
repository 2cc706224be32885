package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallContextGroundingTest {

    /** Three relevant passages of ~200 characters each: with a 1-token-per-character model they need ~700 tokens. */
    private static List<Passage> passages() {
        List<Passage> out = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            out.add(new Passage("doc" + i + ".md", "chars 0-200", ("Fact " + i + " about Lake Verin. ").repeat(8), 4 - i, 0.9 - i * 0.1));
        }
        return out;
    }

    @Test
    void should_drop_the_lowest_ranked_passages_until_the_grounded_prompt_fits_a_small_context() {
        // measure the prompt with all three passages, then give the model a context one token too small for it
        FakeLanguageModel roomy = new FakeLanguageModel(8192, p -> "Fact 1 is about Lake Verin [1].");
        try (Dca dca = Dca.builder().model(roomy).retriever((q, k) -> passages()).build()) {
            dca.ask(AskRequest.builder("How deep is Lake Verin?").maxTokens(64).build());
        }
        int full = roomy.prompts.getLast().length() + 1; // + BOS
        int ctx = full - 1 + 64;
        FakeLanguageModel model = new FakeLanguageModel(ctx, p -> "Fact 1 is about Lake Verin [1].");
        try (Dca dca = Dca.builder().model(model).retriever((q, k) -> passages()).build()) {
            Answer a = dca.ask(AskRequest.builder("How deep is Lake Verin?").maxTokens(64).build());
            assertThat(a.route()).isEqualTo(Route.RAG);
            // not all three fit into ctx - 64 tokens, the best one always stays, and citations follow what was sent
            assertThat(a.citations()).isNotEmpty().hasSizeLessThan(3);
            assertThat(a.citations().get(0).source()).isEqualTo("doc1.md");
            String prompt = model.prompts.getLast();
            assertThat(prompt).contains("Fact 1 about").doesNotContain("Fact 3 about");
            assertThat(prompt.length() + 1).isLessThanOrEqualTo(ctx - 64);
            assertThat(a.text()).isEqualTo("Fact 1 is about Lake Verin [1].");
        }
    }

    @Test
    void should_keep_every_passage_when_the_context_is_large_enough() {
        FakeLanguageModel model = new FakeLanguageModel(8192, p -> "Fact 1 is about Lake Verin [1].");
        try (Dca dca = Dca.builder().model(model).retriever((q, k) -> passages()).build()) {
            Answer a = dca.ask(AskRequest.builder("How deep is Lake Verin?").maxTokens(64).build());
            assertThat(a.citations()).hasSize(3);
        }
    }
}
