package dev.dca.router;

import dev.dca.reasoning.Effort;
import dev.dca.runtime.chat.Message;
import java.util.List;
import java.util.Objects;

/**
 * One question and how to answer it. Build with {@link #builder(String)}; defaults: no history, route auto,
 * effort auto, the effort's default reasoning budget, at most 256 answer tokens, the model's own sampling
 * defaults, no seed, no extra stop strings, hidden reasoning not returned.
 *
 * @param history earlier messages (system prompt and visible turns) the question follows
 * @param route null lets the router decide
 * @param maxReasoningTokens null keeps the effort's default budget
 * @param temperature null keeps the model's default
 * @param topP null keeps the model's default
 */
public record AskRequest(
        String question,
        List<Message> history,
        Route route,
        Effort effort,
        Integer maxReasoningTokens,
        int maxTokens,
        Double temperature,
        Double topP,
        Long seed,
        List<String> stop,
        boolean showReasoning) {

    public static final int DEFAULT_MAX_TOKENS = 256;

    public AskRequest {
        Objects.requireNonNull(question, "question");
        if (question.isBlank()) throw new IllegalArgumentException("the question is empty");
        history = history == null ? List.of() : List.copyOf(history);
        effort = effort == null ? Effort.AUTO : effort;
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
        if (maxReasoningTokens != null && maxReasoningTokens < 1) {
            throw new IllegalArgumentException("max reasoning tokens must be >= 1, got " + maxReasoningTokens);
        }
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
            throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }

    public static Builder builder(String question) {
        return new Builder(question);
    }

    public static final class Builder {
        private final String question;
        private List<Message> history = List.of();
        private Route route;
        private Effort effort = Effort.AUTO;
        private Integer maxReasoningTokens;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private Double temperature;
        private Double topP;
        private Long seed;
        private List<String> stop = List.of();
        private boolean showReasoning;

        private Builder(String question) { this.question = question; }

        public Builder history(List<Message> v) { history = v; return this; }
        public Builder route(Route v) { route = v; return this; }
        public Builder effort(Effort v) { effort = v; return this; }
        public Builder maxReasoningTokens(Integer v) { maxReasoningTokens = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder showReasoning(boolean v) { showReasoning = v; return this; }

        public AskRequest build() {
            return new AskRequest(question, history, route, effort, maxReasoningTokens, maxTokens, temperature, topP, seed,
                    stop, showReasoning);
        }
    }
}
