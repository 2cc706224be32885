package dev.dca.foundry.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.foundry.curriculum.Curriculum;
import dev.dca.foundry.curriculum.ExampleSource;
import dev.dca.foundry.tokenizer.BpeTrainer;
import dev.dca.foundry.tokenizer.ChatFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the bundled model: tokenizer on the curriculum, then the Llama decoder with AdamW and a warmup + cosine
 * learning-rate schedule, on CPU with DJL's PyTorch engine. Writes into the output folder:
 *
 * <pre>
 * config.json, generation_config.json, model.safetensors      the model (Hugging Face Llama, F32)
 * tokenizer.json, tokenizer_config.json                       byte-level BPE + ChatML chat template
 * train-config.json, loss.csv, loss-curve.png                 how it was trained
 * checkpoint/state.safetensors, checkpoint/step.json          weights + AdamW moments, for --resume
 * </pre>
 *
 * The model folder is rewritten at every checkpoint, so an interrupted run still leaves a usable model.
 */
public final class Trainer {

    private final TrainConfig config;
    private final Path out;
    private final TrainListener listener;

    private ExampleSource data;
    private Path base;

    public Trainer(TrainConfig config, Path out, TrainListener listener) {
        this.config = config;
        this.out = out;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /** Trains on {@code source} instead of the curriculum of the config's seed and mix (fine-tuning). */
    public Trainer data(ExampleSource source) {
        this.data = source;
        return this;
    }

    /**
     * Starts from the weights and tokenizer of a model folder this trainer wrote (fine-tuning) instead of fresh
     * weights and a newly trained tokenizer; the config's model sizes must match that folder's.
     */
    public Trainer initFrom(Path modelFolder) {
        this.base = modelFolder;
        return this;
    }

    /** Result of a run: losses by step (all steps, including those before a resume). */
    public record Result(List<Integer> steps, List<Double> losses, double tokensPerSecond, long parameters) {}

    /**
     * Runs training to {@link TrainConfig#steps()}.
     *
     * @param resume continue from {@code out/checkpoint}; the config must equal the one the run started with
     */
    public Result run(boolean resume) throws IOException {
        Files.createDirectories(out);
        Path checkpoint = out.resolve("checkpoint");
        int start = 0;
        if (resume) {
            if (!Files.isRegularFile(checkpoint.resolve("step.json"))) {
                throw new IllegalArgumentException("nothing to resume: " + checkpoint.resolve("step.json") + " does not exist");
            }
            TrainConfig saved = TrainConfig.read(out.resolve("train-config.json"));
            if (!saved.equals(config)) throw new IllegalArgumentException("--resume needs the config the run started with (" + out.resolve("train-config.json") + ")");
            start = new ObjectMapper().readTree(checkpoint.resolve("step.json").toFile()).path("step").asInt();
        } else {
            config.write(out.resolve("train-config.json"));
            if (base != null) {
                for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
                    Files.copy(base.resolve(f), out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                trainTokenizer();
            }
        }
        ExampleSource curriculum = data != null ? data : new Curriculum(config.seed(), config.mix().toCurriculum());
        Tracker schedule = schedule(config);
        List<Integer> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        if (resume) readLossLog(start, steps, losses);
        else Files.writeString(out.resolve("loss.csv"), "step,loss,lr,grad_norm,tokens_per_second\n");

        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(out.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "truncation", "false")); // DJL would cut at 512 tokens by default
             NDManager root = NDManager.newBaseManager(Device.cpu())) {
            int vocab = BpeTrainer.vocabSize(out.resolve("tokenizer.json"));
            TrainableLlama model = TrainableLlama.initialize(config, vocab, root);
            AdamW optimizer = new AdamW(config.beta1(), config.beta2(), config.weightDecay(), config.gradClip());
            if (base != null && !resume) {
                try (NDManager load = root.newSubManager()) {
                    model.load(HfExporter.readSafetensors(base.resolve("model.safetensors"), load));
                }
            }
            if (resume) {
                try (NDManager load = root.newSubManager()) {
                    Map<String, NDArray> state = HfExporter.readSafetensors(checkpoint.resolve("state.safetensors"), load);
                    model.load(state);
                    Map<String, NDArray> moments = new LinkedHashMap<>();
                    state.forEach((k, v) -> {
                        if (k.startsWith("m.") || k.startsWith("v.")) {
                            v.attach(root);
                            moments.put(k, v);
                        }
                    });
                    optimizer.restore(moments);
                }
            }
            Batcher batcher = new Batcher(curriculum, tokenizer, config.seqLen(), config.batchSize());
            listener.onStart(start, config.steps(), model.parameterCount());
            long t0 = System.nanoTime();
            long tokensSeen = 0;
            double lastTps = 0;
            for (int step = start; step < config.steps(); step++) {
                long ts = System.nanoTime();
                double lr = schedule.getNewValue(step);
                Batcher.Batch batch = batcher.batch(step);
                double loss, norm;
                try (NDManager scratch = root.newSubManager()) {
                    NDArray rows = scratch.create(batch.tokens());                                  // [B, T+1]
                    NDArray inputs = rows.get(":, :-1"), targets = rows.get(":, 1:");
                    NDArray mask = scratch.create(batch.mask());                                   // [B, T]
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = TrainableLlama.loss(model.forward(inputs), targets, mask);
                        gc.backward(l);
                        loss = l.getFloat();
                    }
                    norm = optimizer.update(model.parameters(), step + 1, lr, scratch);
                }
                if (!Double.isFinite(loss)) throw new IllegalStateException("loss became " + loss + " at step " + step + "; lower lr");
                tokensSeen += config.tokensPerStep();
                double seconds = (System.nanoTime() - ts) / 1e9;
                lastTps = config.tokensPerStep() / seconds;
                steps.add(step + 1);
                losses.add(loss);
                Files.writeString(out.resolve("loss.csv"), String.format(java.util.Locale.ROOT, "%d,%.5f,%.6g,%.4f,%.1f%n", step + 1, loss, lr, norm, lastTps),
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                listener.onStep(new TrainListener.StepStats(step + 1, config.steps(), loss, lr, norm, lastTps, (System.nanoTime() - t0) / 1e9));
                boolean last = step + 1 == config.steps();
                if (last || (config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0)) {
                    save(model, optimizer, vocab, step + 1, steps, losses);
                    listener.onCheckpoint(step + 1, out);
                }
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            listener.onEnd();
            return new Result(steps, losses, elapsed > 0 ? tokensSeen / elapsed : lastTps, model.parameterCount());
        }
    }

    /** Trains the BPE tokenizer on a slice of the curriculum and writes its files into the output folder. */
    private void trainTokenizer() throws IOException {
        Curriculum curriculum = new Curriculum(config.seed() + 1, config.mix().toCurriculum()); // not the training stream
        BpeTrainer bpe = new BpeTrainer(config.vocabSize());
        for (int i = 0; i < config.tokenizerExamples(); i++) bpe.add(ChatFormat.render(curriculum.example(i).messages(), false));
        bpe.train().write(out, config.seqLen());
    }

    private void save(TrainableLlama model, AdamW optimizer, int vocab, int step, List<Integer> steps, List<Double> losses) throws IOException {
        Path checkpoint = out.resolve("checkpoint");
        Files.createDirectories(checkpoint);
        Map<String, NDArray> state = new LinkedHashMap<>(model.parameters());
        state.putAll(optimizer.state());
        HfExporter.writeSafetensors(checkpoint.resolve("state.safetensors"), state);
        HfExporter.export(out, config, vocab, model.parameters());
        Files.writeString(checkpoint.resolve("step.json"), "{\"step\": " + step + "}\n");
        try {
            LossCurve.write(out.resolve("loss-curve.png"), steps, losses);
        } catch (IOException | RuntimeException e) {
            // a missing font or AWT on a headless box must not cost the checkpoint
            System.err.println("dca: could not draw the loss curve: " + e.getMessage());
        }
    }

    private void readLossLog(int upTo, List<Integer> steps, List<Double> losses) throws IOException {
        Path log = out.resolve("loss.csv");
        List<String> kept = new ArrayList<>();
        kept.add("step,loss,lr,grad_norm,tokens_per_second");
        if (Files.isRegularFile(log)) {
            for (String line : Files.readAllLines(log)) {
                String[] f = line.split(",");
                if (f.length < 2 || !f[0].matches("\\d+")) continue;
                int s = Integer.parseInt(f[0]);
                if (s > upTo) continue; // steps after the checkpoint are redone
                steps.add(s);
                losses.add(Double.parseDouble(f[1]));
                kept.add(line);
            }
        }
        Files.write(log, kept);
    }

    /** Linear warmup from lr / warmupSteps, then cosine decay to {@code lr * minLrRatio} at the last step (DJL trackers). */
    static Tracker schedule(TrainConfig c) {
        // DJL's cosine tracker needs a decay; a floor equal to the peak (fine-tuning) is a constant rate
        Tracker cosine = c.minLrRatio() >= 1 ? Tracker.fixed((float) c.lr()) : Tracker.cosine().setBaseValue((float) c.lr()).optFinalValue((float) (c.lr() * c.minLrRatio()))
                .setMaxUpdates(Math.max(1, c.steps() - c.warmupSteps())).build();
        if (c.warmupSteps() == 0) return cosine;
        return Tracker.warmUp().optWarmUpBeginValue((float) (c.lr() / c.warmupSteps())).optWarmUpSteps(c.warmupSteps()).setMainTracker(cosine).build();
    }

}
