package dev.dca.router;

import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.ModelInfo;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.ChatTemplate;
import dev.dca.runtime.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted model for router tests: one token per character (id = char + 3; 1 = BOS, 2 = EOS), no chat template
 * (so the plain fallback format is used), and a reply function from the decoded prompt to the reply text. Honours
 * max tokens, stop strings, cancellation and the context length like the engine does. Records every prompt.
 */
final class FakeLanguageModel implements LanguageModel {

    final List<String> prompts = new CopyOnWriteArrayList<>();
    private final Function<String, String> reply;
    private final int contextLength;

    FakeLanguageModel(int contextLength, Function<String, String> reply) {
        this.contextLength = contextLength;
        this.reply = reply;
    }

    private final Tokenizer tokenizer = new Tokenizer() {
        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            int[] ids = new int[text.length() + (addSpecialTokens ? 1 : 0)];
            int i = 0;
            if (addSpecialTokens) ids[i++] = 1;
            for (char c : text.toCharArray()) ids[i++] = c + 3;
            return ids;
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) if (id >= 3) sb.append((char) (id - 3));
            return sb.toString();
        }

        @Override public int vocabSize() { return 65539; }
        @Override public OptionalInt bosTokenId() { return OptionalInt.of(1); }
        @Override public int[] eosTokenIds() { return new int[] {2}; }
        @Override public String tokenText(int id) { return id >= 3 ? String.valueOf((char) (id - 3)) : "<" + id + ">"; }
    };

    @Override
    public ModelInfo info() {
        return new ModelInfo(Path.of("fake-model"), "fake", "llama", 0, "F32", "F32", "cpu", 1, 1, 1, 1, contextLength,
                tokenizer.vocabSize(), Map.of("bos", 1, "eos", 2), false, Map.of());
    }

    @Override public Tokenizer tokenizer() { return tokenizer; }
    @Override public Optional<ChatTemplate> chatTemplate() { return Optional.empty(); }
    @Override public SamplingParams defaultSampling() { return SamplingParams.GREEDY; }

    @Override
    public List<Generation> generate(List<GenerationRequest> requests, GenerationListener listener) {
        List<Generation> out = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) {
            GenerationRequest req = requests.get(r);
            if (req.promptTokens().length + req.maxTokens() > contextLength) {
                throw new dev.dca.runtime.ContextLengthExceededException(req.promptTokens().length, req.maxTokens(), contextLength);
            }
            String prompt = tokenizer.decode(req.promptTokens());
            prompts.add(prompt);
            String full = reply.apply(prompt);
            for (int s = 0; s < req.n(); s++) {
                StringBuilder text = new StringBuilder();
                List<Integer> tokens = new ArrayList<>();
                Generation.FinishReason finish = Generation.FinishReason.STOP_TOKEN;
                for (int i = 0; ; i++) {
                    if (listener.cancelled()) { finish = Generation.FinishReason.CANCELLED; break; }
                    if (i >= full.length()) break;
                    if (tokens.size() >= req.maxTokens()) { finish = Generation.FinishReason.LENGTH; break; }
                    char c = full.charAt(i);
                    tokens.add(c + 3);
                    text.append(c);
                    String stop = req.stopStrings().stream().filter(x -> text.toString().endsWith(x)).findFirst().orElse(null);
                    if (stop != null) {
                        text.setLength(text.length() - stop.length());
                        finish = Generation.FinishReason.STOP_STRING;
                        break;
                    }
                    listener.onToken(r, s, c + 3, String.valueOf(c));
                }
                out.add(new Generation(r, s, req.promptTokens().length, tokens.stream().mapToInt(Integer::intValue).toArray(),
                        req.logprobs() ? new float[tokens.size()] : null, text.toString(), finish));
            }
        }
        return out;
    }

    @Override
    public float[][] logits(int[] tokens) {
        float[][] l = new float[tokens.length][tokenizer.vocabSize()];
        return l;
    }

    @Override
    public void close() {}
}
