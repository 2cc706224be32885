package dev.dca.runtime.langchain4j;

import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.chat.PromptRenderer;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;

/**
 * A langchain4j {@link ChatModel} over a local {@link LanguageModel}: the messages are rendered with the model's
 * chat template (or the plain fallback for models without one), generated, and reported with token usage.
 * Implements only {@link #doChat}, so langchain4j's {@code chat(...)} template merges default parameters and
 * notifies listeners first.
 */
public final class LocalChatModel implements ChatModel {

    private final LanguageModel model;
    private final PromptRenderer renderer;
    private final String modelName;

    public LocalChatModel(LanguageModel model) {
        this.model = model;
        this.renderer = new PromptRenderer(model);
        this.modelName = modelName(model);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        GenerationRequest gen = LocalChatRequests.request(model, renderer, request);
        Generation g = model.generate(gen);
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(renderer.clean(g.text())))
                .tokenUsage(new TokenUsage(g.promptTokenCount(), g.tokens().length))
                .finishReason(LocalChatRequests.finishReason(g.finishReason()))
                .modelName(modelName)
                .build();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    static String modelName(LanguageModel model) {
        var path = model.info().path();
        return path == null || path.getFileName() == null ? "local" : path.getFileName().toString();
    }
}
