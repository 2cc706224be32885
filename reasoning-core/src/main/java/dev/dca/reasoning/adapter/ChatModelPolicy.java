package dev.dca.reasoning.adapter;

import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.policy.Turn;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Policy} over any langchain4j {@link ChatModel} (e.g. a remote OpenAI-compatible server). Such models
 * give no log-probabilities and cannot fork a prefix, so {@code n} samples are {@code n} calls. The scratchpad so
 * far is sent as a trailing assistant message, which servers continue; stop strings are also applied here, for
 * servers that ignore them, and a reply is cut to about {@code maxTokens} (4 characters a token when the server
 * reports no usage) so that the budget holds even if the server overshoots.
 */
public final class ChatModelPolicy implements Policy {

    private static final int CHARS_PER_TOKEN = 4;

    private final ChatModel model;

    public ChatModelPolicy(ChatModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public List<Continuation> sample(PolicyRequest request) {
        List<ChatMessage> messages = messages(request);
        List<Continuation> out = new ArrayList<>(request.n());
        for (int i = 0; i < request.n(); i++) {
            ChatRequestParameters params = ChatRequestParameters.builder()
                    .temperature(request.temperature())
                    .topP(request.topP())
                    .maxOutputTokens(request.maxTokens())
                    .stopSequences(request.stopStrings().isEmpty() ? null : request.stopStrings())
                    .build();
            ChatResponse response = model.chat(ChatRequest.builder().messages(messages).parameters(params).build());
            String text = response.aiMessage() == null || response.aiMessage().text() == null ? "" : response.aiMessage().text();
            Integer reported = response.tokenUsage() == null ? null : response.tokenUsage().outputTokenCount();
            int tokens = reported != null ? reported : estimate(text);
            boolean eos = response.finishReason() == FinishReason.STOP;
            if (tokens > request.maxTokens()) {
                // the server overshot: keep what maxTokens would have produced
                text = text.substring(0, Math.min(text.length(), request.maxTokens() * CHARS_PER_TOKEN));
                tokens = request.maxTokens();
                eos = false;
            }
            String stoppedBy = null;
            int cut = -1;
            for (String s : request.stopStrings()) {
                int at = s.isEmpty() ? -1 : text.indexOf(s);
                if (at >= 0 && (cut < 0 || at < cut)) {
                    cut = at;
                    stoppedBy = s;
                }
            }
            if (cut >= 0) {
                text = text.substring(0, cut);
                eos = false;
            }
            out.add(new Continuation(text, tokens, null, stoppedBy, eos && stoppedBy == null));
        }
        return out;
    }

    static List<ChatMessage> messages(PolicyRequest request) {
        List<ChatMessage> messages = new ArrayList<>();
        for (Turn t : request.conversation()) {
            messages.add(switch (t.role()) {
                case "system" -> SystemMessage.from(t.content());
                case "assistant" -> AiMessage.from(t.content());
                default -> UserMessage.from(t.content());
            });
        }
        if (!request.assistantPrefix().isEmpty()) messages.add(AiMessage.from(request.assistantPrefix()));
        return messages;
    }

    /** Estimated: remote tokenizers are unknown here (about 4 characters a token in English). */
    @Override
    public int promptTokens(PolicyRequest request) {
        int chars = request.assistantPrefix().length();
        for (Turn t : request.conversation()) chars += t.content().length();
        return estimate(" ".repeat(chars));
    }

    private static int estimate(String text) {
        return (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }
}
