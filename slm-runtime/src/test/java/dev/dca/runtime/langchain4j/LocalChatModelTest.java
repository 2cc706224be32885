package dev.dca.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.chat.PlainChatTemplate;
import dev.dca.runtime.chat.Message;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The langchain4j adapters over the real engine on stories260K (no chat template: the plain fallback applies). */
class LocalChatModelTest {

    static LanguageModel model;

    @BeforeAll
    static void load() {
        Path p = Path.of(System.getProperty("dca.shared", "../../shared"), "models", "stories260K");
        assumeTrue(Files.isRegularFile(p.resolve("stories260K.bin")), "../shared/models/stories260K is absent");
        model = ModelLoader.load(p);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static ChatRequest request(int maxTokens) {
        return ChatRequest.builder()
                .messages(SystemMessage.from("You tell stories."), UserMessage.from("Tell me about Lily."))
                .maxOutputTokens(maxTokens).temperature(0.0).build();
    }

    @Test
    void should_answer_with_token_usage_of_the_plain_fallback_prompt() {
        ChatResponse r = new LocalChatModel(model).chat(request(8));
        String prompt = PlainChatTemplate.INSTANCE.render(List.of(Message.system("You tell stories."), Message.user("Tell me about Lily.")), true);
        assertThat(prompt).isEqualTo("System: You tell stories.\n\nUser: Tell me about Lily.\n\nAssistant:");
        assertThat(r.tokenUsage().inputTokenCount()).isEqualTo(model.tokenizer().encode(prompt, true).length);
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 8);
        assertThat(r.aiMessage().text()).isNotBlank().isEqualTo(r.aiMessage().text().strip());
        assertThat(r.finishReason()).isIn(FinishReason.LENGTH, FinishReason.STOP);
    }

    @Test
    void streaming_should_deliver_the_same_text_in_parts() {
        ChatResponse plain = new LocalChatModel(model).chat(request(12));
        StringBuilder parts = new StringBuilder();
        AtomicReference<ChatResponse> done = new AtomicReference<>();
        new LocalStreamingChatModel(model).chat(request(12), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                parts.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.set(response);
            }

            @Override
            public void onError(Throwable error) {
                throw new AssertionError(error);
            }
        });
        assertThat(done.get()).isNotNull();
        assertThat(parts.toString().strip()).isEqualTo(plain.aiMessage().text());
        assertThat(done.get().aiMessage().text()).isEqualTo(plain.aiMessage().text());
        assertThat(done.get().tokenUsage()).isEqualTo(plain.tokenUsage());
    }

    @Test
    void should_report_unsupported_messages_through_on_error() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        new LocalStreamingChatModel(model).chat(ChatRequest.builder()
                .messages(UserMessage.from(dev.langchain4j.data.message.ImageContent.from("http://example/x.png"))).build(),
                new StreamingChatResponseHandler() {
                    @Override public void onCompleteResponse(ChatResponse response) {}
                    @Override public void onError(Throwable e) { error.set(e); }
                });
        assertThat(error.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text");
    }
}
