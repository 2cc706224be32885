package dev.dca.router;

import dev.dca.runtime.chat.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * What a conversation remembers between turns, under o1's rule: the system prompt, the user's messages and the
 * visible assistant answers carry over; the hidden reasoning of a turn is dropped once the turn ends (its tokens
 * still count in {@link #usage()}). When the conversation no longer fits the context, the oldest turns go first;
 * the system prompt and the current question are never trimmed, and the trim is reported.
 *
 * <p>Not thread-safe: one conversation belongs to one user session.
 */
public final class ConversationMemory {

    private String systemPrompt;
    private final List<Message> turns = new ArrayList<>();
    private Usage usage = Usage.ZERO;

    public ConversationMemory() {
        this(null);
    }

    public ConversationMemory(String systemPrompt) {
        this.systemPrompt = blankToNull(systemPrompt);
    }

    /**
     * A memory holding {@code messages} (e.g. an OpenAI-style request's earlier messages): system messages become
     * the system prompt (joined by blank lines), the rest are the turns in order.
     */
    public static ConversationMemory of(java.util.List<Message> messages) {
        StringBuilder system = new StringBuilder();
        ConversationMemory m = new ConversationMemory();
        for (Message msg : messages) {
            if (msg.role().equals("system")) {
                if (!system.isEmpty()) system.append("\n\n");
                system.append(msg.content());
            } else {
                m.turns.add(msg);
            }
        }
        m.systemPrompt(system.toString());
        return m;
    }

    /** The visible turns without the system prompt. */
    public List<Message> turns() {
        return List.copyOf(turns);
    }

    /** The messages a new question is asked after: system prompt (if any) and the visible turns so far. */
    public List<Message> history() {
        List<Message> h = new ArrayList<>(turns.size() + 1);
        if (systemPrompt != null) h.add(Message.system(systemPrompt));
        h.addAll(turns);
        return List.copyOf(h);
    }

    /** Records a finished turn: the question and the visible answer stay; the hidden reasoning does not. */
    public void record(String question, Answer answer) {
        turns.add(Message.user(question));
        turns.add(Message.assistant(answer.text()));
        usage = usage.plus(answer.usage());
    }

    /** Tokens used by all turns so far, hidden reasoning included. */
    public Usage usage() {
        return usage;
    }

    public int turnCount() {
        return turns.size() / 2;
    }

    public String systemPrompt() {
        return systemPrompt;
    }

    public void systemPrompt(String prompt) {
        this.systemPrompt = blankToNull(prompt);
    }

    /** Forgets every turn (keeps the system prompt) and resets usage. */
    public void reset() {
        turns.clear();
        usage = Usage.ZERO;
    }

    /**
     * Drops the oldest turns (a user message and its answer at a time) until {@code history + current} costs at
     * most {@code budget} tokens as measured by {@code tokens}. The system prompt and the current question are
     * never dropped.
     *
     * @param current the current question's message, as it will be sent (possibly with retrieved sources)
     * @return the messages to send and a notice when turns were dropped
     * @throws IllegalArgumentException when the system prompt and the current question alone exceed the budget
     */
    public Trimmed fit(Message current, ToIntFunction<List<Message>> tokens, int budget) {
        int dropped = 0;
        while (true) {
            List<Message> messages = new ArrayList<>(history());
            messages.add(current);
            int cost = tokens.applyAsInt(messages);
            if (cost <= budget) {
                String notice = dropped == 0 ? null : "memory: dropped the " + (dropped == 1 ? "oldest turn" : dropped + " oldest turns")
                        + " to fit the model's context (" + budget + " tokens for the prompt)";
                return new Trimmed(List.copyOf(messages), dropped, notice);
            }
            if (turns.isEmpty()) {
                throw new IllegalArgumentException((systemPrompt != null ? "the system prompt and the question take " : "the question takes ")
                        + cost + " tokens, more than the " + budget
                        + " the model's context leaves for a prompt; shorten the question");
            }
            // one turn = the oldest user message and the assistant answer that follows it
            turns.remove(0);
            if (!turns.isEmpty() && turns.get(0).role().equals("assistant")) turns.remove(0);
            dropped++;
        }
    }

    /** The messages that fit, and how many old turns were dropped to get there. */
    public record Trimmed(List<Message> messages, int droppedTurns, String notice) {}

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
