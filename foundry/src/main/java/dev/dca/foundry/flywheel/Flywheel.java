package dev.dca.foundry.flywheel;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.foundry.curriculum.Curriculum;
import dev.dca.foundry.curriculum.Example;
import dev.dca.foundry.curriculum.ExampleSource;
import dev.dca.foundry.train.TrainConfig;
import dev.dca.foundry.train.TrainListener;
import dev.dca.foundry.train.Trainer;
import dev.dca.reasoning.Effort;
import dev.dca.reasoning.Reasoner;
import dev.dca.reasoning.ReasoningPrompt;
import dev.dca.reasoning.ReasoningResult;
import dev.dca.reasoning.eval.Evaluator;
import dev.dca.reasoning.eval.Problem;
import dev.dca.reasoning.trace.PreferencePair;
import dev.dca.reasoning.verify.Calculator;
import dev.dca.reasoning.verify.NumberGrounding;
import dev.dca.reasoning.verify.StepContext;
import dev.dca.router.EnginePolicy;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The data flywheel (STaR: Zelikman et al., 2022): each round samples fresh training-family problems, solves them
 * with the reasoning core at {@link Effort#HIGH}, keeps the traces whose answer is right, whose arithmetic the
 * calculator confirms and whose operands all come from the question or earlier steps, fine-tunes the model on them (mixed with curriculum replay, so it does not forget the rest),
 * and measures {@link Effort#LOW} accuracy on the held-out families before and after.
 *
 * <p>Writes per round {@code out/round-N/}: the fine-tuned model folder, {@code traces.jsonl} (kept solutions) and
 * {@code pairs.jsonl} (chosen/rejected step pairs from the search trees, for preference tuning later), and
 * {@code out/flywheel.json} with the accuracies.
 */
public final class Flywheel {

    /**
     * @param problemsPerRound fresh problems solved at high effort per round
     * @param evalProblems held-out problems for the effort-low accuracy
     * @param fineTuneSteps training steps per round
     * @param replayShare share of fine-tuning examples drawn from the curriculum instead of the kept traces
     */
    public record Settings(int rounds, int problemsPerRound, int evalProblems, int fineTuneSteps, double lr, double replayShare, long seed) {
        public Settings {
            if (rounds < 1 || problemsPerRound < 1 || evalProblems < 1 || fineTuneSteps < 1) {
                throw new IllegalArgumentException("rounds, problems, eval problems and steps must be >= 1");
            }
            if (!(lr > 0) || replayShare < 0 || replayShare >= 1) throw new IllegalArgumentException("lr must be > 0 and replay share in [0, 1)");
        }
    }

    public record RoundReport(int round, double accuracyBefore, double accuracyAfter, int attempted, int kept, int pairs, String model) {}

    private final Settings settings;
    private final Consumer<String> log;

    public Flywheel(Settings settings, Consumer<String> log) {
        this.settings = settings;
        this.log = log == null ? s -> {} : log;
    }

    public List<RoundReport> run(Path model, Path out) throws IOException {
        if (!Files.isRegularFile(model.resolve("train-config.json"))) {
            throw new IllegalArgumentException(model + " has no train-config.json: the flywheel fine-tunes models that dca train wrote");
        }
        Files.createDirectories(out);
        List<Problem> holdout = new ArrayList<>();
        List<Curriculum.HoldoutRecord> records = Curriculum.holdout(1, settings.evalProblems());
        for (int i = 0; i < records.size(); i++) holdout.add(new Problem("holdout-" + i, records.get(i).question(), gold(records.get(i).answer())));

        List<RoundReport> reports = new ArrayList<>();
        Path current = model;
        double before = accuracyLow(current, holdout);
        log.accept(String.format("round 0: effort-low accuracy %.1f%% on %d held-out problems", 100 * before, holdout.size()));
        for (int round = 1; round <= settings.rounds(); round++) {
            Path dir = out.resolve("round-" + round);
            Files.createDirectories(dir);
            List<Example> kept = new ArrayList<>();
            int pairs = collect(current, round, dir, kept);
            log.accept(String.format("round %d: kept %d verified traces of %d problems, %d preference pairs", round, kept.size(), settings.problemsPerRound(), pairs));
            double after = before;
            Path next = current;
            if (!kept.isEmpty()) {
                fineTune(current, dir, kept, round);
                next = dir;
                after = accuracyLow(next, holdout);
            }
            log.accept(String.format("round %d: effort-low accuracy %.1f%% -> %.1f%%", round, 100 * before, 100 * after));
            reports.add(new RoundReport(round, before, after, settings.problemsPerRound(), kept.size(), pairs, next.toString()));
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("flywheel.json").toFile(), reports);
            current = next;
            before = after;
        }
        return reports;
    }

    /** Solves fresh problems at high effort; keeps right answers with calculator-clean steps. Returns the pair count. */
    private int collect(Path model, int round, Path dir, List<Example> kept) throws IOException {
        Calculator calculator = new Calculator();
        ObjectMapper json = new ObjectMapper();
        int pairs = 0;
        try (LanguageModel lm = ModelLoader.load(model, LoadOptions.DEFAULT);
             Writer traces = Files.newBufferedWriter(dir.resolve("traces.jsonl"), StandardCharsets.UTF_8);
             Writer pairOut = Files.newBufferedWriter(dir.resolve("pairs.jsonl"), StandardCharsets.UTF_8)) {
            Reasoner reasoner = Reasoner.builder().policy(new EnginePolicy(lm)).effort(Effort.HIGH).seed(settings.seed() + round).build();
            for (int i = 0; i < settings.problemsPerRound(); i++) {
                Curriculum.HoldoutRecord p = Curriculum.trainingProblem(settings.seed() * 1000 + round, i);
                String gold = gold(p.answer());
                Problem problem = new Problem("r" + round + "-" + i, p.question(), gold);
                ReasoningResult r = reasoner.solve(p.question());
                if (r.trace() != null) {
                    for (PreferencePair pair : r.trace().pairs(gold)) {
                        pairOut.write(json.writeValueAsString(pair));
                        pairOut.write('\n');
                        pairs++;
                    }
                }
                if (!r.answered() || !problem.isCorrect(r.answer()) || r.reasoning() == null) continue;
                String scratchpad = ReasoningPrompt.scratchpad(r.reasoning());
                String reply = (scratchpad.isBlank() ? "" : scratchpad + ReasoningPrompt.STEP_DELIMITER) + ReasoningPrompt.ANSWER_MARKER + " " + r.answer();
                Calculator.Check check = calculator.check(reply);
                if (check.wrong() > 0) continue; // right answer by wrong arithmetic: not a trace to learn from
                if (!grounded(p.question(), scratchpad)) continue; // right answer from numbers the question lacks
                kept.add(Curriculum.reasoningExample(p.question(), reply, gold, p.family()));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("question", p.question());
                row.put("reply", reply);
                row.put("gold", gold);
                traces.write(json.writeValueAsString(row));
                traces.write('\n');
            }
        }
        return pairs;
    }

    /** Whether every step computes with numbers of the question or of earlier steps ({@link NumberGrounding}). */
    static boolean grounded(String question, String scratchpad) {
        NumberGrounding g = new NumberGrounding();
        List<String> steps = ReasoningPrompt.steps(scratchpad);
        for (int i = 0; i < steps.size(); i++) {
            double s = g.score(new StepContext(question, null, steps.subList(0, i), steps.get(i), null, null));
            if (!Double.isNaN(s) && s < 1) return false;
        }
        return true;
    }

    private void fineTune(Path base, Path dir, List<Example> kept, int round) throws IOException {
        TrainConfig b = TrainConfig.read(base.resolve("train-config.json"));
        TrainConfig c = new TrainConfig(b.hiddenSize(), b.intermediateSize(), b.numLayers(), b.numHeads(), b.numKvHeads(), b.vocabSize(),
                b.tokenizerExamples(), b.seqLen(), b.batchSize(), settings.fineTuneSteps(), 0, settings.lr(), 1.0, b.weightDecay(), b.beta1(),
                b.beta2(), b.gradClip(), b.ropeTheta(), b.rmsNormEps(), settings.seed() + round, 0, b.mix());
        Curriculum replay = new Curriculum(settings.seed() * 7919 + round, b.mix().toCurriculum());
        int replayPer100 = (int) Math.round(settings.replayShare() * 100);
        ExampleSource data = i -> Math.floorMod(i * 37, 100) < replayPer100 ? replay.example(i) : kept.get((int) Math.floorMod(i, (long) kept.size()));
        new Trainer(c, dir, TrainListener.NONE).initFrom(base).data(data).run(false);
    }

    private double accuracyLow(Path model, List<Problem> holdout) {
        try (LanguageModel lm = ModelLoader.load(model, LoadOptions.DEFAULT)) {
            Reasoner low = Reasoner.builder().policy(new EnginePolicy(lm)).effort(Effort.LOW).seed(settings.seed()).build();
            return Evaluator.run("effort-low", holdout, low, null, null).accuracy();
        }
    }

    /** The number after {@code ####} of a GSM8K answer. */
    static String gold(String gsm8kAnswer) {
        return gsm8kAnswer.substring(gsm8kAnswer.lastIndexOf("#### ") + 5).strip();
    }
}
