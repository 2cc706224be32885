package dev.dca.router;

/**
 * Tokens one answer cost. As in OpenAI's API, {@code completionTokens} counts every generated token, hidden
 * reasoning included; {@code reasoningTokens} is the hidden part of it. {@code promptTokens} sums the prompts of
 * every model call (a reasoning search makes many).
 */
public record Usage(int promptTokens, int completionTokens, int reasoningTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0);

    public Usage plus(Usage o) {
        return new Usage(promptTokens + o.promptTokens, completionTokens + o.completionTokens, reasoningTokens + o.reasoningTokens);
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
