package dev.dca.runtime.langchain4j;

import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.Message;
import dev.dca.runtime.chat.PromptRenderer;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.output.FinishReason;
import dev.dca.runtime.Generation;
import java.util.ArrayList;
import java.util.List;

/** What both langchain4j adapters share: message conversion, sampling from request parameters, finish reasons. */
final class LocalChatRequests {

    /** Used when a request names no max output tokens. */
    static final int DEFAULT_MAX_TOKENS = 256;

    private LocalChatRequests() {}

    static List<Message> messages(List<ChatMessage> chat) {
        List<Message> out = new ArrayList<>(chat.size());
        for (ChatMessage m : chat) {
            switch (m) {
                case SystemMessage s -> out.add(Message.system(s.text()));
                case UserMessage u -> {
                    if (!u.hasSingleText()) {
                        throw new IllegalArgumentException("only text user messages are supported by local models");
                    }
                    out.add(Message.user(u.singleText()));
                }
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) {
                        throw new IllegalArgumentException("tool calls are not supported by local models");
                    }
                    out.add(Message.assistant(a.text() == null ? "" : a.text()));
                }
                default -> throw new IllegalArgumentException("unsupported message type for local models: " + m.type()
                        + " (supported: SYSTEM, USER, AI)");
            }
        }
        return out;
    }

    static GenerationRequest request(LanguageModel model, PromptRenderer renderer, ChatRequest request) {
        ChatRequestParameters p = request.parameters();
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new IllegalArgumentException("tools are not supported by local models");
        }
        int[] prompt = renderer.tokens(messages(request.messages()), "");
        SamplingParams.Builder sampling = model.defaultSampling().toBuilder();
        if (p.temperature() != null) sampling.temperature(p.temperature());
        if (p.topP() != null) sampling.topP(p.topP());
        if (p.topK() != null) sampling.topK(p.topK());
        int maxTokens = p.maxOutputTokens() != null ? p.maxOutputTokens() : DEFAULT_MAX_TOKENS;
        return GenerationRequest.builder(prompt)
                .maxTokens(maxTokens)
                .sampling(sampling.build())
                .stopTokenIds(renderer.stopTokenIds())
                .stopStrings(renderer.withTurnStops(p.stopSequences()))
                .build();
    }

    static FinishReason finishReason(Generation.FinishReason r) {
        return switch (r) {
            case STOP_TOKEN, STOP_STRING -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
    }
}
