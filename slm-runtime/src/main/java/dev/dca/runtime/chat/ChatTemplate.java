package dev.dca.runtime.chat;

import java.util.List;

/** Turns a conversation into the prompt string the model was trained on. */
public interface ChatTemplate {

    /**
     * @param addGenerationPrompt append the header that opens the assistant's turn
     * @throws IllegalArgumentException when the template rejects the conversation (e.g. raise_exception on roles)
     */
    String render(List<Message> messages, boolean addGenerationPrompt);
}
