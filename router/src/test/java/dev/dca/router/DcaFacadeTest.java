package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.reasoning.Effort;
import dev.dca.reasoning.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DcaFacadeTest {

    /** Records the effort and budget it was asked for. */
    static final class RecordingThinker implements Thinker {
        final List<Effort> efforts = new ArrayList<>();
        final List<Integer> budgets = new ArrayList<>();

        @Override
        public Thought think(Policy policy, String question, String context, Effort effort, Integer max, Long seed) {
            efforts.add(effort);
            budgets.add(max);
            return new Thought("", "cot", new Usage(10, 5, 5), Map.of(), "scratch", "summary");
        }
    }

    @Test
    void builder_defaults_apply_unless_the_request_sets_its_own() {
        RecordingThinker thinker = new RecordingThinker();
        try (Dca dca = Dca.builder().model(new FakeLanguageModel(4096, p -> "ok")).thinker(thinker).effort(Effort.HIGH).build()) {
            dca.ask("What is 2 + 3?");
            dca.ask(AskRequest.builder("What is 2 + 3?").effort(Effort.LOW).maxReasoningTokens(50).build());
        }
        assertThat(thinker.efforts).containsExactly(Effort.HIGH, Effort.LOW);
        assertThat(thinker.budgets).containsExactly(null, 50);
    }

    @Test
    void an_unanswered_search_says_so_and_finishes_by_length() {
        try (Dca dca = Dca.builder().model(new FakeLanguageModel(4096, p -> "ok")).thinker(new RecordingThinker()).build()) {
            Answer a = dca.ask("What is 2 + 3?");
            assertThat(a.text()).isEqualTo(Dca.NO_ANSWER);
            assertThat(a.finishReason()).isEqualTo("length");
            assertThat(a.reasoning()).as("hidden unless asked").isNull();
        }
    }

    @Test
    void a_default_route_applies_to_every_question() {
        FakeLanguageModel model = new FakeLanguageModel(4096, p -> "plain answer");
        try (Dca dca = Dca.builder().model(model).thinker(new RecordingThinker()).route(Route.DIRECT).build()) {
            Answer a = dca.ask("What is 2 + 3?");
            assertThat(a.route()).isEqualTo(Route.DIRECT);
            assertThat(a.text()).isEqualTo("plain answer");
            assertThat(a.decision().reason()).contains("set by the user");
        }
    }

    @Test
    void a_missing_model_is_a_one_line_user_error() {
        assertThatThrownBy(() -> Dca.builder().model(java.nio.file.Path.of("/no/such/model")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("model not found: /no/such/model");
    }
}
