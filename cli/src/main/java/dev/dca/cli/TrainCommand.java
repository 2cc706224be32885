package dev.dca.cli;

import dev.dca.foundry.curriculum.Curriculum;
import dev.dca.foundry.curriculum.GroundedEval;
import dev.dca.foundry.flywheel.Flywheel;
import dev.dca.foundry.train.ProgressBarListener;
import dev.dca.foundry.train.TrainConfig;
import dev.dca.foundry.train.TrainListener;
import dev.dca.foundry.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dca train --config FILE --out DIR [--resume]}: trains the bundled model (see {@link Trainer}) and writes a
 * Hugging Face folder that {@code dca generate --model DIR} loads. {@code dca train holdout} writes the held-out
 * evaluation set.
 */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Train a small Llama model on the generated curriculum (CPU, DJL/PyTorch).",
                "Writes config.json, model.safetensors, tokenizer files, loss.csv, loss-curve.png and a checkpoint to --out."},
        subcommands = {TrainCommand.Holdout.class, TrainCommand.FlywheelCommand.class, TrainCommand.GroundedEvalCommand.class})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Training config (.json or .properties); keys left out keep the defaults (about 45 minutes on 2 CPU cores).")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (the model folder).")
    Path out;

    @Option(names = "--resume", description = "Continue from DIR/checkpoint with the config the run started with.")
    boolean resume;

    @Option(names = "--steps", paramLabel = "N", description = "Override the config's number of steps.")
    Integer steps;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch intra-op threads (default: the engine's choice).")
    Integer threads;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--init", paramLabel = "DIR",
            description = "Fine-tune: start from the weights and tokenizer of a model folder dca train wrote (sizes must match the config).")
    Path init;

    @Override
    public Integer call() throws Exception {
        if (out == null) throw new IllegalArgumentException("--out DIR is required");
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1");
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
        }
        TrainConfig c;
        if (config != null) c = TrainConfig.read(config);
        else if (resume && Files.isRegularFile(out.resolve("train-config.json"))) c = TrainConfig.read(out.resolve("train-config.json"));
        else c = TrainConfig.DEFAULT;
        if (steps != null) c = c.withSteps(steps);
        if (!resume && Files.isRegularFile(out.resolve("checkpoint/step.json"))) {
            throw new IllegalArgumentException(out + " already holds a training run; pass --resume to continue it or choose another --out");
        }
        TrainListener listener = quiet ? TrainListener.NONE : new ProgressBarListener();
        Trainer trainer = new Trainer(c, out, listener);
        if (init != null) {
            if (!Files.isRegularFile(init.resolve("model.safetensors"))) throw new IllegalArgumentException("--init " + init + " holds no model.safetensors");
            trainer = trainer.initFrom(init);
        }
        Trainer.Result r = trainer.run(resume);
        int n = r.losses().size();
        System.out.printf("trained %,d parameters for %d steps: loss %.3f -> %.3f, %,.0f tokens/s; model in %s%n",
                r.parameters(), c.steps(), r.losses().getFirst(), r.losses().get(n - 1), r.tokensPerSecond(), out);
        return 0;
    }

    /** {@code dca train holdout --out FILE}: the held-out arithmetic families in GSM8K JSONL form. */
    @Command(name = "holdout", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Write held-out arithmetic problems (template families never trained on) as GSM8K JSONL.")
    static final class Holdout implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "FILE") Path out;
        @Option(names = "-n", defaultValue = "500", description = "Number of problems.") int n;
        @Option(names = "--seed", defaultValue = "1") long seed;

        @Override
        public Integer call() throws Exception {
            if (n < 1) throw new IllegalArgumentException("-n must be >= 1");
            Curriculum.writeHoldoutJsonl(out, seed, n);
            System.out.println("wrote " + n + " held-out problems to " + out);
            return 0;
        }
    }

    /** {@code dca train grounded-eval [--model DIR]}: answering from sources, as the rag route asks. */
    @Command(name = "grounded-eval", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Ask fresh grounded questions (invented entities, numbered sources) and score value + citation, or the decline.")
    static final class GroundedEvalCommand implements Callable<Integer> {
        @Option(names = "--model", paramLabel = "PATH", description = "Model (default: the bundled one).") Path model;
        @Option(names = "-n", defaultValue = "100", description = "Number of questions.") int n;
        // unset options keep the router's setting (GroundedAnswerer.Settings.DEFAULT), so the two cannot drift apart
        @Option(names = "--copy-bias", description = "The sampler's logit bonus for continuing a run of the sources (0: off; default: the router's).") Double copyBias;
        @Option(names = "--candidates", description = "Extra samples when the first reply is not supported by its sources (default: the router's).") Integer candidates;
        @Option(names = "--min-coverage", description = "Share of the reply's new words that its cited sources must hold (0: no check; default: the router's).") Double minCoverage;
        @Option(names = "--json", description = "Print one JSON object.") boolean json;

        @Override
        public Integer call() throws Exception {
            if (n < 1) throw new IllegalArgumentException("-n must be >= 1");
            dev.dca.router.GroundedAnswerer.Settings d = dev.dca.router.GroundedAnswerer.Settings.DEFAULT;
            dev.dca.router.GroundedAnswerer.Settings settings = new dev.dca.router.GroundedAnswerer.Settings(
                    copyBias != null ? copyBias : d.copyBias(), candidates != null ? candidates : d.candidates(), d.temperature(),
                    minCoverage != null ? minCoverage : d.minCoverage());
            try (dev.dca.runtime.LanguageModel m = dev.dca.runtime.ModelLoader.load(dev.dca.router.ModelResolver.resolve(model),
                    dev.dca.runtime.LoadOptions.DEFAULT.withMaxBatch(1))) {
                GroundedEval.Report r = GroundedEval.run(m, n, settings);
                if (json) {
                    java.util.Map<String, Object> o = new java.util.LinkedHashMap<>(); // fixed key order
                    o.put("accuracy", r.accuracy());
                    o.put("n", r.n());
                    o.put("answerable", r.answerable());
                    o.put("value_right", r.answered());
                    o.put("value_and_citation_right", r.cited());
                    o.put("unanswerable", r.unanswerable());
                    o.put("declined", r.declined());
                    o.put("seconds", r.seconds());
                    System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o));
                } else {
                    System.out.printf(java.util.Locale.ROOT, "accuracy %.2f: %d/%d answerable with the right value (%d also cited the right source), "
                            + "%d/%d unanswerable declined; %.1f s%n", r.accuracy(), r.answered(), r.answerable(), r.cited(), r.declined(),
                            r.unanswerable(), r.seconds());
                }
            }
            return 0;
        }
    }

    /** {@code dca train flywheel --model DIR --rounds R --out DIR}: STaR-style self-improvement rounds. */
    @Command(name = "flywheel", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Solve fresh problems at high effort, keep calculator-verified correct traces, fine-tune on them,",
                    "and report effort-low accuracy on the held-out families before and after each round."})
    static final class FlywheelCommand implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model folder written by dca train.") Path model;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the rounds' models and traces go.") Path out;
        @Option(names = "--rounds", defaultValue = "1") int rounds;
        @Option(names = "--problems", defaultValue = "200", description = "Fresh problems solved per round.") int problems;
        @Option(names = "--eval", defaultValue = "100", description = "Held-out problems for the accuracy.") int eval;
        @Option(names = "--steps", defaultValue = "150", description = "Fine-tuning steps per round.") int steps;
        @Option(names = "--lr", defaultValue = "3e-4") double lr;
        @Option(names = "--replay", defaultValue = "0.5", description = "Share of curriculum replay in fine-tuning.") double replay;
        @Option(names = "--seed", defaultValue = "1") long seed;

        @Override
        public Integer call() throws Exception {
            var settings = new Flywheel.Settings(rounds, problems, eval, steps, lr, replay, seed);
            for (Flywheel.RoundReport r : new Flywheel(settings, System.out::println).run(model, out)) {
                System.out.printf("round %d: kept %d/%d, effort-low %.1f%% -> %.1f%%%n", r.round(), r.kept(), r.attempted(),
                        100 * r.accuracyBefore(), 100 * r.accuracyAfter());
            }
            return 0;
        }
    }
}
