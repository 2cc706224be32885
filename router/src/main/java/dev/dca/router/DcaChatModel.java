package dev.dca.router;

import dev.dca.reasoning.Effort;
import dev.dca.runtime.chat.Message;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Dca} as a langchain4j {@link ChatModel}: the last message is the question, the earlier ones its history;
 * the router picks the route as for any other request. Token usage counts hidden reasoning as output tokens.
 */
final class DcaChatModel implements ChatModel {

    private final Dca dca;
    private final Route route;
    private final Effort effort;

    DcaChatModel(Dca dca, Route route, Effort effort) {
        this.dca = dca;
        this.route = route;
        this.effort = effort;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        if (messages.isEmpty() || !(messages.getLast() instanceof UserMessage last) || !last.hasSingleText()) {
            throw new IllegalArgumentException("the last message must be a text user message");
        }
        List<Message> history = new ArrayList<>();
        for (ChatMessage m : messages.subList(0, messages.size() - 1)) {
            switch (m) {
                case SystemMessage s -> history.add(Message.system(s.text()));
                case UserMessage u -> history.add(Message.user(u.singleText()));
                case AiMessage a -> history.add(Message.assistant(a.text() == null ? "" : a.text()));
                default -> throw new IllegalArgumentException("unsupported message type: " + m.type() + " (supported: SYSTEM, USER, AI)");
            }
        }
        ChatRequestParameters p = request.parameters();
        AskRequest.Builder ask = AskRequest.builder(last.singleText()).history(history).route(route).effort(effort)
                .temperature(p.temperature()).topP(p.topP());
        if (p.maxOutputTokens() != null) ask.maxTokens(p.maxOutputTokens());
        if (p.stopSequences() != null) ask.stop(p.stopSequences());
        Answer a = dca.ask(ask.build());
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(a.text()))
                .tokenUsage(new TokenUsage(a.usage().promptTokens(), a.usage().completionTokens()))
                .finishReason(switch (a.finishReason()) {
                    case "length" -> FinishReason.LENGTH;
                    case "stop" -> FinishReason.STOP;
                    default -> FinishReason.OTHER;
                })
                .build();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }
}
