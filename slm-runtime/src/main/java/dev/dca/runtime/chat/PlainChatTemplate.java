package dev.dca.runtime.chat;

import java.util.List;
import java.util.Locale;

/**
 * The documented fallback for models without a chat template (llama2.c checkpoints, base models): one turn per
 * paragraph, {@code Role: content}, roles capitalised, and an open {@code Assistant:} turn as the generation
 * prompt.
 *
 * <pre>
 * System: You are a helpful assistant.
 *
 * User: What is 2+2?
 *
 * Assistant: 4
 *
 * User: And 3+3?
 *
 * Assistant:
 * </pre>
 *
 * A base model continues such a transcript naturally; generation should stop at {@link #TURN_STOP}, where the model
 * starts inventing the user's next turn. BOS is added by the tokenizer, not by this template.
 */
public final class PlainChatTemplate implements ChatTemplate {

    public static final PlainChatTemplate INSTANCE = new PlainChatTemplate();

    /** Stop string that ends the assistant's turn in this format. */
    public static final String TURN_STOP = "\n\nUser:";

    private PlainChatTemplate() {}

    @Override
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            if (!sb.isEmpty()) sb.append("\n\n");
            sb.append(roleName(m.role())).append(": ").append(m.content().strip());
        }
        if (addGenerationPrompt) {
            if (!sb.isEmpty()) sb.append("\n\n");
            sb.append("Assistant:");
        }
        return sb.toString();
    }

    private static String roleName(String role) {
        if (role.isEmpty()) return role;
        return role.substring(0, 1).toUpperCase(Locale.ROOT) + role.substring(1).toLowerCase(Locale.ROOT);
    }
}
