package dev.dca.foundry.curriculum;

import dev.dca.router.GroundedAnswerer;
import dev.dca.router.GroundedPrompt;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.chat.Message;
import dev.dca.runtime.chat.PromptRenderer;
import java.util.List;
import java.util.Locale;

/**
 * How well a model answers from sources: fresh grounded questions (new invented entities, not the training draws),
 * put to the model exactly as the router's rag route does ({@link GroundedPrompt}, the model's chat template,
 * greedy, {@link GroundedAnswerer}). An answerable question is right when the reply states the fact's value and cites the passage that holds
 * it ({@code [n]}); an unanswerable one when the reply says {@link GroundedPrompt#DONT_KNOW}.
 */
public final class GroundedEval {

    /** Seed of the evaluation items (training uses the config's seed, 42 for the bundled model). */
    public static final long SEED = 3;

    /**
     * @param answerable questions whose answer is in a passage; {@code answered} got the value right, {@code cited}
     *     the value and the right source number
     */
    public record Report(int n, int answerable, int answered, int cited, int unanswerable, int declined, double seconds) {
        /** Right answers (value and citation, or a correct decline) over all questions. */
        public double accuracy() {
            return n == 0 ? 0 : (cited + declined) / (double) n;
        }
    }

    private GroundedEval() {}

    /** As the router answers: {@link GroundedAnswerer.Settings#DEFAULT}. */
    public static Report run(LanguageModel model, int n) {
        return run(model, n, GroundedAnswerer.Settings.DEFAULT);
    }

    /** @param settings how the reply is generated and checked ({@link GroundedAnswerer.Settings#OFF}: the plain greedy reply) */
    public static Report run(LanguageModel model, int n, GroundedAnswerer.Settings settings) {
        GroundedAnswerer answerer = new GroundedAnswerer(model, settings);
        PromptRenderer renderer = new PromptRenderer(model);
        int answerable = 0, answered = 0, cited = 0, unanswerable = 0, declined = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            GroundedQuestions.Item item = item(i);
            List<Message> chat = List.of(Message.user(GroundedQuestions.userMessage(item)));
            GenerationRequest request = GenerationRequest.builder(renderer.tokens(chat, null)).maxTokens(48)
                    .stopStrings(renderer.turnStops()).build();
            String reply = answerer.answer(request, item.question(), item.passages(), () -> false).text();
            if (item.sourceNumber() == 0) {
                unanswerable++;
                if (reply.contains(GroundedPrompt.DONT_KNOW)) declined++;
            } else {
                answerable++;
                if (reply.toLowerCase(Locale.ROOT).contains(item.value().toLowerCase(Locale.ROOT))) {
                    answered++;
                    if (reply.contains("[" + item.sourceNumber() + "]")) cited++;
                }
            }
        }
        return new Report(n, answerable, answered, cited, unanswerable, declined, (System.nanoTime() - t0) / 1e9);
    }

    /** Evaluation item {@code i}: drawn like the curriculum's grounded questions, from {@link #SEED}. */
    static GroundedQuestions.Item item(int i) {
        return GroundedQuestions.generate(new Draw(Curriculum.random(SEED, i)));
    }
}
