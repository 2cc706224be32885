package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class GroundingDefaultTest {

    private static final Retriever LAKES = (q, k) -> List.of(new Passage("lakes.md", "chars 0-30", "Lake Verin is 41 metres deep.", 3.2, 0.81));

    @Test
    void another_model_gets_its_reply_as_it_comes_unless_the_check_is_asked_for() {
        FakeLanguageModel model = new FakeLanguageModel(8192, p -> "Lake Verin is 99 metres deep [1].");
        try (Dca plain = Dca.builder().model(model).retriever(LAKES).build();
             Dca checked = Dca.builder().model(model).retriever(LAKES).grounding(GroundedAnswerer.Settings.DEFAULT).build()) {
            Answer a = plain.ask("How deep is Lake Verin?");
            assertThat(a.text()).isEqualTo("Lake Verin is 99 metres deep [1].");
            assertThat(a.strategy()).isEqualTo("direct"); // streamed as generated, no check
            assertThat(a.stats()).doesNotContainKey("grounding");
            Answer b = checked.ask("How deep is Lake Verin?");
            assertThat(b.text()).isEqualTo(GroundedPrompt.DONT_KNOW);
            assertThat(b.stats()).containsEntry("grounding", "none supported: declined").containsEntry("grounding_candidates", 9);
        }
    }

    @Test
    void the_bundled_model_is_recognised_by_its_folder() {
        Path bundled = Path.of("..").resolve(ModelResolver.BUNDLED);
        Assumptions.assumeTrue(Files.isDirectory(bundled), "no bundled model at " + bundled);
        assertThat(ModelResolver.isBundled(bundled)).isTrue();
        assertThat(ModelResolver.isBundled(Path.of("fake-model"))).isFalse();
        assertThat(ModelResolver.isBundled(null)).isFalse();
    }
}
