package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.reasoning.Effort;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.ModelLoader;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade over the real engine and the real reasoning core (stories260K; tiny budgets keep it fast). */
class DcaEndToEndTest {

    static LanguageModel model;
    static Dca dca;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(SharedModels.stories260K());
        dca = Dca.builder().model(model).effort(Effort.AUTO).build();
    }

    @AfterAll
    static void close() {
        if (dca != null) dca.close();
        if (model != null) model.close();
    }

    @Test
    void should_route_arithmetic_to_the_reasoning_core_within_its_budget() {
        List<int[]> progress = new ArrayList<>();
        Answer a = dca.ask(AskRequest.builder("Tom has 17 apples and buys 25 more. How many apples does he have now?")
                .maxReasoningTokens(32).showReasoning(true).build(), new AnswerListener() {
                    @Override
                    public void onThinking(int tokens, int budget) {
                        progress.add(new int[] {tokens, budget});
                    }
                });
        assertThat(a.route()).isEqualTo(Route.REASONING);
        assertThat(a.decision().effort()).isEqualTo(Effort.LOW);
        assertThat(a.usage().reasoningTokens()).isBetween(1, 32);
        assertThat(a.usage().completionTokens()).isGreaterThanOrEqualTo(a.usage().reasoningTokens());
        assertThat(a.strategy()).isNotBlank();
        assertThat(a.reasoning()).isNotNull();
        assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p[1]).isEqualTo(32));
        assertThat(progress.getLast()[0]).isEqualTo(a.usage().completionTokens());
    }

    @Test
    void should_stop_an_answer_when_cancelled_and_not_remember_it() {
        ConversationMemory memory = dca.newConversation();
        int[] tokens = {0};
        Answer a = dca.ask(memory, AskRequest.builder("Tell me a long story about a princess.").maxTokens(200).build(),
                new AnswerListener() {
                    @Override
                    public void onText(String delta) {
                        tokens[0]++;
                    }

                    @Override
                    public boolean cancelled() {
                        return tokens[0] >= 3;
                    }
                });
        assertThat(a.finishReason()).isEqualTo("cancelled");
        assertThat(a.usage().completionTokens()).isLessThan(20);
        assertThat(memory.turnCount()).isZero();
    }

    @Test
    void should_work_as_a_langchain4j_chat_model() {
        ChatModel chat = dca.asChatModel();
        ChatResponse r = chat.chat(ChatRequest.builder()
                .messages(SystemMessage.from("You tell stories."), UserMessage.from("Tell me a story about a cat."))
                .maxOutputTokens(8).temperature(0.0).build());
        assertThat(r.aiMessage().text()).isNotBlank();
        assertThat(r.tokenUsage().inputTokenCount()).isPositive();
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 8);
        // the same question through ask() gives the same greedy answer
        Answer a = dca.ask(AskRequest.builder("Tell me a story about a cat.").maxTokens(8).temperature(0.0)
                .history(List.of(dev.dca.runtime.chat.Message.system("You tell stories."))).build());
        assertThat(r.aiMessage().text()).isEqualTo(a.text());
    }
}
