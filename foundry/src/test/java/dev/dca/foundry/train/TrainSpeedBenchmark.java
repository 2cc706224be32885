package dev.dca.foundry.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Measures training throughput of the default config's shape on a few steps (not a unit test: run with
 * {@code -Ddca.bench=N -Dtest=TrainSpeedBenchmark}, N steps). Used to size {@link TrainConfig#DEFAULT}.
 */
class TrainSpeedBenchmark {

    @Test
    void default_config_throughput() throws Exception {
        String steps = System.getProperty("dca.bench");
        assumeTrue(steps != null, "set -Ddca.bench=STEPS to run the training speed benchmark");
        int n = Integer.parseInt(steps);
        TrainConfig c = TrainConfig.DEFAULT.withSteps(n);
        c = new TrainConfig(c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(), c.vocabSize(),
                Integer.getInteger("dca.bench.tokenizerExamples", 5000), c.seqLen(), c.batchSize(), n, 0, c.lr(), c.minLrRatio(), c.weightDecay(),
                c.beta1(), c.beta2(), c.gradClip(), c.ropeTheta(), c.rmsNormEps(), c.seed(), 0, c.mix());
        Path out = Files.createTempDirectory("dca-bench");
        long t0 = System.nanoTime();
        Trainer.Result r = new Trainer(c, out, new TrainListener() {
            @Override
            public void onStep(StepStats s) {
                System.out.printf("step %d  loss %.3f  %.0f tok/s  (%.1f s)%n", s.step(), s.loss(), s.tokensPerSecond(), s.elapsedSeconds());
            }
        }).run(false);
        try (var tok = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(out.resolve("tokenizer.json"))) {
            Batcher b = new Batcher(new dev.dca.foundry.curriculum.Curriculum(c.seed(), c.mix().toCurriculum()), tok, c.seqLen(), c.batchSize());
            long tb = System.nanoTime();
            long targets = 0;
            for (int i = 0; i < 5; i++) targets += b.batch(100 + i).targetTokens();
            System.out.printf("batching: %.2f s per step, %.0f%% of tokens are targets%n", (System.nanoTime() - tb) / 5e9, 100.0 * targets / (5 * c.tokensPerStep()));
        }
        System.out.printf("params %d, %d steps of %d tokens, mean %.0f tok/s, wall %.1f s (incl. tokenizer)%n", r.parameters(), n,
                c.tokensPerStep(), r.tokensPerSecond(), (System.nanoTime() - t0) / 1e9);
    }
}
