package dev.dca.foundry.curriculum;

import dev.dca.runtime.chat.Message;
import java.util.List;
import java.util.Objects;

/**
 * One generated training conversation.
 *
 * @param kind which part of the curriculum made it
 * @param family the template family (held-out families are never used for training)
 * @param messages user/assistant turns; the loss is taken on the assistant turns only
 * @param answer the reference final answer of the last turn (the number after {@code ####} for arithmetic, the
 *     answer sentence otherwise)
 */
public record Example(Kind kind, String family, List<Message> messages, String answer) {

    public enum Kind { ARITHMETIC, GROUNDED, INSTRUCTION, CHAT }

    public Example {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(family, "family");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) throw new IllegalArgumentException("an example needs at least one message");
        Objects.requireNonNull(answer, "answer");
    }

    /** The first user message. */
    public String question() {
        return messages.stream().filter(m -> m.role().equals("user")).findFirst().orElseThrow().content();
    }

    /** The last assistant message. */
    public String reply() {
        return messages.getLast().content();
    }
}
