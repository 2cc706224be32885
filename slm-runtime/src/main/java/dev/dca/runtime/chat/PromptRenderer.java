package dev.dca.runtime.chat;

import dev.dca.runtime.LanguageModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a conversation into prompt tokens for one model: its own chat template when it has one, otherwise
 * {@link PlainChatTemplate}. Shared by the langchain4j adapters, the reasoning policy adapter and the router so
 * every path formats a conversation the same way.
 *
 * <p>Tokenization follows Hugging Face's {@code apply_chat_template}: a real template writes its own special
 * tokens (e.g. {@code bos_token}), so the rendered text is encoded without adding any; the plain fallback has
 * none, so BOS is added the way the model's tokenizer says (llama2.c models always add it).
 */
public final class PromptRenderer {

    private final LanguageModel model;
    private final ChatTemplate template;
    private final boolean plain;

    public PromptRenderer(LanguageModel model) {
        this.model = model;
        this.template = model.chatTemplate().orElse(PlainChatTemplate.INSTANCE);
        this.plain = model.chatTemplate().isEmpty();
    }

    /** Whether the model has no chat template and the plain fallback format is used. */
    public boolean plainFallback() {
        return plain;
    }

    /** The rendered conversation with the assistant's turn opened and {@code assistantPrefix} appended. */
    public String render(List<Message> conversation, String assistantPrefix) {
        String text = template.render(conversation, true);
        if (assistantPrefix == null || assistantPrefix.isEmpty()) return text;
        // the plain format opens the turn with "Assistant:"; a space separates it from the reply
        return plain ? text + " " + assistantPrefix : text + assistantPrefix;
    }

    public int[] tokens(List<Message> conversation, String assistantPrefix) {
        return encode(render(conversation, assistantPrefix));
    }

    public int[] encode(String renderedPrompt) {
        int[] ids = model.tokenizer().encode(renderedPrompt, plain);
        if (ids.length == 0) {
            // an empty prompt cannot be continued: fall back to BOS when the model has one
            var bos = model.tokenizer().bosTokenId();
            if (bos.isPresent()) return new int[] {bos.getAsInt()};
        }
        return ids;
    }

    /** Stop strings that end the assistant's turn in addition to the model's end-of-turn tokens. */
    public List<String> turnStops() {
        return plain ? List.of(PlainChatTemplate.TURN_STOP) : List.of();
    }

    /** {@code stops} plus {@link #turnStops()}, without duplicates. */
    public List<String> withTurnStops(List<String> stops) {
        List<String> all = new ArrayList<>(stops == null ? List.of() : stops);
        for (String s : turnStops()) if (!all.contains(s)) all.add(s);
        return all;
    }

    /** The model's end-of-turn token ids. */
    public int[] stopTokenIds() {
        return model.tokenizer().eosTokenIds();
    }

    /** Text the model produced, cleaned for display: plain-format replies lose the separating space. */
    public String clean(String generated) {
        return plain ? generated.strip() : generated;
    }
}
