package dev.dca.runtime.langchain4j;

import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.chat.PromptRenderer;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;

/**
 * A langchain4j {@link StreamingChatModel} over a local {@link LanguageModel}: text deltas go to
 * {@link StreamingChatResponseHandler#onPartialResponse(String)} as the engine decodes them, on the calling
 * thread; the complete response carries token usage. Errors go to {@code onError}, never thrown.
 */
public final class LocalStreamingChatModel implements StreamingChatModel {

    private final LanguageModel model;
    private final PromptRenderer renderer;
    private final String modelName;

    public LocalStreamingChatModel(LanguageModel model) {
        this.model = model;
        this.renderer = new PromptRenderer(model);
        this.modelName = LocalChatModel.modelName(model);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Generation g;
        try {
            GenerationRequest gen = LocalChatRequests.request(model, renderer, request);
            // the plain format's replies start with a space after "Assistant:"; drop leading blanks from the stream
            boolean[] started = {!renderer.plainFallback()};
            g = model.generate(List.of(gen), (requestIndex, sample, token, delta) -> {
                if (delta.isEmpty()) return;
                if (!started[0]) {
                    delta = delta.stripLeading();
                    if (delta.isEmpty()) return;
                    started[0] = true;
                }
                handler.onPartialResponse(delta);
            }).get(0);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        handler.onCompleteResponse(ChatResponse.builder()
                .aiMessage(AiMessage.from(renderer.clean(g.text())))
                .tokenUsage(new TokenUsage(g.promptTokenCount(), g.tokens().length))
                .finishReason(LocalChatRequests.finishReason(g.finishReason()))
                .modelName(modelName)
                .build());
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }
}
