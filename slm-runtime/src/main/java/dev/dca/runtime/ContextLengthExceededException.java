package dev.dca.runtime;

/** A prompt plus its requested max tokens does not fit the model's context window. */
public final class ContextLengthExceededException extends IllegalArgumentException {
    private final int promptTokens;
    private final int maxTokens;
    private final int contextLength;

    public ContextLengthExceededException(int promptTokens, int maxTokens, int contextLength) {
        super("prompt (" + promptTokens + " tokens) + max tokens (" + maxTokens + ") exceeds the model's context length ("
                + contextLength + "); shorten the prompt or lower max tokens");
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() { return promptTokens; }
    public int maxTokens() { return maxTokens; }
    public int contextLength() { return contextLength; }
}
