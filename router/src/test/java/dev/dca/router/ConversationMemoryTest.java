package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.reasoning.Effort;
import dev.dca.reasoning.policy.Policy;
import dev.dca.runtime.chat.Message;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversationMemoryTest {

    /** A thinker that "reasons" with a long hidden scratchpad and answers 42. */
    static final class ScriptedThinker implements Thinker {
        static final String SCRATCHPAD = "SECRET-SCRATCHPAD: 17 + 25 = 42";

        @Override
        public Thought think(Policy policy, String question, String context, Effort effort, Integer max, Long seed) {
            return new Thought("42", "cot", new Usage(30, 120, 118), Map.of("nodes", 1), SCRATCHPAD, "one chain");
        }
    }

    @Test
    void should_drop_hidden_reasoning_after_each_turn_but_count_it_in_usage() {
        FakeLanguageModel model = new FakeLanguageModel(4096, prompt -> "Fine.");
        try (Dca dca = Dca.builder().model(model).thinker(new ScriptedThinker()).build()) {
            ConversationMemory memory = dca.newConversation();
            Answer first = dca.ask(memory, AskRequest.builder("Tom has 17 apples and buys 25 more. How many now?")
                    .showReasoning(true).build(), AnswerListener.NONE);
            assertThat(first.route()).isEqualTo(Route.REASONING);
            assertThat(first.reasoning()).isEqualTo(ScriptedThinker.SCRATCHPAD);
            assertThat(first.text()).isEqualTo("42");

            dca.ask(memory, AskRequest.builder("Thanks!").build(), AnswerListener.NONE);

            assertThat(memory.history()).extracting(Message::content)
                    .containsExactly("Tom has 17 apples and buys 25 more. How many now?", "42", "Thanks!", "Fine.");
            assertThat(memory.history()).noneMatch(m -> m.content().contains("SECRET-SCRATCHPAD"));
            // the second turn's prompt saw the first answer, not its reasoning
            assertThat(model.prompts.getLast()).contains("Assistant: 42").doesNotContain("SECRET-SCRATCHPAD");
            assertThat(memory.usage().reasoningTokens()).isEqualTo(118);
            assertThat(memory.usage().completionTokens()).isEqualTo(120 + "Fine.".length());
        }
    }

    @Test
    void should_trim_oldest_turns_but_keep_system_prompt_and_current_question_and_say_so() {
        ConversationMemory memory = new ConversationMemory("SYSTEM: be brief.");
        for (int i = 0; i < 5; i++) {
            memory.record("question " + i + " " + "x".repeat(40), answer("answer " + i));
        }
        Message current = Message.user("CURRENT QUESTION");
        // cost: characters of all messages; room for system + current + about two turns
        ConversationMemory.Trimmed t = memory.fit(current, ConversationMemoryTest::chars, 200);

        assertThat(t.messages().getFirst()).isEqualTo(Message.system("SYSTEM: be brief."));
        assertThat(t.messages().getLast()).isEqualTo(current);
        assertThat(chars(t.messages())).isLessThanOrEqualTo(200);
        assertThat(t.droppedTurns()).isEqualTo(3);
        assertThat(t.notice()).contains("dropped the 3 oldest turns");
        // the newest turns survive, the oldest went
        assertThat(t.messages()).extracting(Message::content).contains("answer 4", "answer 3").doesNotContain("answer 0");
        assertThat(memory.turnCount()).isEqualTo(2);
    }

    @Test
    void should_refuse_when_system_prompt_and_question_alone_do_not_fit() {
        ConversationMemory memory = new ConversationMemory("S".repeat(100));
        memory.record("old", answer("old answer"));
        assertThatThrownBy(() -> memory.fit(Message.user("Q".repeat(200)), ConversationMemoryTest::chars, 150))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("system prompt and the question take 300 tokens");
    }

    @Test
    void should_trim_through_the_router_when_the_context_is_small() {
        FakeLanguageModel model = new FakeLanguageModel(400, prompt -> "ok " + "y".repeat(60));
        try (Dca dca = Dca.builder().model(model).systemPrompt("You are terse.").build()) {
            ConversationMemory memory = dca.newConversation();
            Answer last = null;
            for (int i = 0; i < 6; i++) {
                last = dca.ask(memory, AskRequest.builder("Say hello number " + i + " please").maxTokens(100).build(), AnswerListener.NONE);
            }
            assertThat(last.notices()).anyMatch(n -> n.contains("oldest turn"));
            String prompt = model.prompts.getLast();
            assertThat(prompt).startsWith("System: You are terse.").contains("Say hello number 5 please");
            assertThat(prompt).doesNotContain("number 0");
        }
    }

    private static Answer answer(String text) {
        return new Answer(text, new RouteDecision(Route.DIRECT, Effort.LOW, "test", Double.NaN), "direct",
                new Usage(1, 1, 0), Map.of(), List.of(), null, null, "stop", List.of());
    }

    private static int chars(List<Message> messages) {
        return messages.stream().mapToInt(m -> m.content().length()).sum();
    }
}
