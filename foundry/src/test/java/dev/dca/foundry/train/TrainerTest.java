package dev.dca.foundry.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.foundry.tokenizer.ChatFormat;
import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.chat.Message;
import dev.dca.runtime.safetensors.SafetensorsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One tiny training run (a few seconds), shared by the checks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerTest {

    @TempDir
    static Path out;

    TrainConfig config = TrainConfig.TINY;
    Trainer.Result result;

    @BeforeAll
    void train() throws Exception {
        result = new Trainer(config, out, TrainListener.NONE).run(false);
    }

    @Test
    void should_lower_the_loss() {
        List<Double> l = result.losses();
        assertThat(l).hasSize(config.steps()).allMatch(x -> x > 0 && Double.isFinite(x));
        double first = (l.get(0) + l.get(1)) / 2, last = (l.get(l.size() - 1) + l.get(l.size() - 2)) / 2;
        assertThat(first).isGreaterThan(5.5); // about ln(vocab) at the start
        assertThat(last).isLessThan(first - 1.0);
    }

    @Test
    void should_write_a_hugging_face_llama_folder() throws Exception {
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "train-config.json", "loss.csv", "loss-curve.png", "checkpoint/state.safetensors", "checkpoint/step.json")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        JsonNode cfg = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(cfg.path("model_type").asText()).isEqualTo("llama");
        assertThat(cfg.path("tie_word_embeddings").asBoolean()).isTrue();
        int vocab = cfg.path("vocab_size").asInt();
        try (SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertThat(st.shape("model.embed_tokens.weight")).containsExactly(vocab, config.hiddenSize());
            assertThat(st.shape("model.layers.1.self_attn.k_proj.weight")).containsExactly((long) config.numKvHeads() * config.headDim(), config.hiddenSize());
            assertThat(st.shape("model.layers.0.mlp.down_proj.weight")).containsExactly(config.hiddenSize(), config.intermediateSize());
            assertThat(st.names()).doesNotContain("lm_head.weight").hasSize(2 + 9 * config.numLayers());
        }
        assertThat(Files.readAllLines(out.resolve("loss.csv"))).hasSize(config.steps() + 1);
        byte[] png = Files.readAllBytes(out.resolve("loss-curve.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void the_runtime_should_load_the_folder_and_compute_the_logits_training_computed() throws Exception {
        int[] prompt;
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(out)) {
            long[] ids = tok.encode(ChatFormat.render(List.of(Message.user("Tom has 17 apples.")), true), false, false).getIds();
            prompt = java.util.Arrays.stream(ids).mapToInt(i -> (int) i).toArray();
        }
        float[][] expected;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            TrainableLlama model = TrainableLlama.initialize(config, new ObjectMapper().readTree(out.resolve("config.json").toFile()).path("vocab_size").asInt(), m);
            model.load(HfExporter.readSafetensors(out.resolve("model.safetensors"), m));
            NDArray logits = model.forward(m.create(new long[][] {java.util.Arrays.stream(prompt).asLongStream().toArray()}));
            long v = logits.getShape().get(2);
            float[] flat = logits.toFloatArray();
            expected = new float[prompt.length][];
            for (int t = 0; t < prompt.length; t++) expected[t] = java.util.Arrays.copyOfRange(flat, (int) (t * v), (int) ((t + 1) * v));
        }
        try (LanguageModel lm = ModelLoader.load(out, LoadOptions.DEFAULT.withDevice("cpu"))) {
            float[][] actual = lm.logits(prompt);
            assertThat(actual.length).isEqualTo(prompt.length);
            for (int t = 0; t < prompt.length; t++) {
                for (int i = 0; i < expected[t].length; i++) {
                    assertThat(actual[t][i]).as("position %d logit %d", t, i).isCloseTo(expected[t][i], org.assertj.core.data.Offset.offset(2e-3f));
                }
            }
            // the folder's own chat template and stop token drive generation
            List<Message> chat = List.of(Message.user("Hello!"));
            assertThat(lm.chatTemplate()).isPresent();
            assertThat(lm.chatTemplate().get().render(chat, true)).isEqualTo(ChatFormat.render(chat, true));
            assertThat(lm.tokenizer().eosTokenIds()).contains(ChatFormat.EOS_ID);
            // greedy decoding starts with the token training's logits rank first
            Generation g = lm.generate(GenerationRequest.builder(prompt).maxTokens(4).build());
            float[] last = expected[prompt.length - 1];
            int argmax = 0;
            for (int i = 1; i < last.length; i++) if (last[i] > last[argmax]) argmax = i;
            if (argmax == ChatFormat.EOS_ID) { // the model ends its turn at once: generation stops on <|im_end|>
                assertThat(g.tokens()).isEmpty();
                assertThat(g.finishReason()).isEqualTo(Generation.FinishReason.STOP_TOKEN);
            } else {
                assertThat(g.tokens()).isNotEmpty();
                assertThat(g.tokens()[0]).isEqualTo(argmax);
            }
        }
    }

    @Test
    void a_resumed_run_should_continue_exactly_where_the_interrupted_one_stopped(@TempDir Path other) throws Exception {
        TrainConfig t = config.withSteps(4);
        TrainConfig c = new TrainConfig(t.hiddenSize(), t.intermediateSize(), t.numLayers(), t.numHeads(), t.numKvHeads(), t.vocabSize(),
                t.tokenizerExamples(), t.seqLen(), t.batchSize(), 4, t.warmupSteps(), t.lr(), t.minLrRatio(), 0.1, t.beta1(), t.beta2(),
                t.gradClip(), t.ropeTheta(), t.rmsNormEps(), t.seed(), 2, t.mix());
        Trainer.Result full = new Trainer(c, other.resolve("full"), TrainListener.NONE).run(false);

        Path split = other.resolve("split");
        TrainListener killedAtCheckpoint2 = new TrainListener() {
            @Override
            public void onCheckpoint(int step, Path folder) {
                if (step == 2) throw new IllegalStateException("killed");
            }
        };
        assertThatThrownBy(() -> new Trainer(c, split, killedAtCheckpoint2).run(false)).hasMessage("killed");
        Trainer.Result resumed = new Trainer(c, split, TrainListener.NONE).run(true);

        assertThat(resumed.steps()).containsExactly(1, 2, 3, 4);
        // Step 4 is the first loss that depends on the restored AdamW moments: resuming without them moves it by ~0.2.
        // The tolerance allows for float rounding that Adam amplifies (a near-zero gradient's sign), which differs
        // between CPUs even on one thread.
        for (int i = 0; i < 4; i++) {
            assertThat(resumed.losses().get(i)).as("step %d", i + 1).isCloseTo(full.losses().get(i), org.assertj.core.data.Offset.offset(5e-3));
        }
        assertThatThrownBy(() -> new Trainer(c.withSteps(5), split, TrainListener.NONE).run(true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config");
    }

    @Test
    void fine_tuning_should_start_from_the_base_model_and_train_on_the_given_examples(@TempDir Path tuned) throws Exception {
        var example = dev.dca.foundry.curriculum.Curriculum.reasoningExample("Tom has 17 apples and buys 25 more. How many apples does he have now?",
                "Tom has 17+25=<<17+25=42>>42 apples now.\nAnswer: 42", "42", "gain");
        TrainConfig t = config;
        TrainConfig c = new TrainConfig(t.hiddenSize(), t.intermediateSize(), t.numLayers(), t.numHeads(), t.numKvHeads(), t.vocabSize(),
                t.tokenizerExamples(), t.seqLen(), t.batchSize(), 3, 0, 1e-3, 1.0, 0.0, t.beta1(), t.beta2(),
                t.gradClip(), t.ropeTheta(), t.rmsNormEps(), t.seed(), 0, t.mix());
        Trainer.Result r = new Trainer(c, tuned, TrainListener.NONE).initFrom(out).data(i -> example).run(false);
        // the base model already knows the format: its loss starts well below a fresh model's
        assertThat(r.losses().getFirst()).isLessThan(result.losses().getFirst() - 0.5);
        assertThat(r.losses().getLast()).isLessThan(r.losses().getFirst()); // and it fits the one example
        assertThat(Files.readString(tuned.resolve("tokenizer.json"))).isEqualTo(Files.readString(out.resolve("tokenizer.json")));
    }

    @Test
    void encoding_a_conversation_in_segments_should_equal_encoding_it_whole() throws Exception {
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(out.resolve("tokenizer.json"), Map.of("truncation", "false"))) {
            Batcher batcher = new Batcher(new dev.dca.foundry.curriculum.Curriculum(3, dev.dca.foundry.curriculum.Curriculum.Mix.DEFAULT), tok, 256, 1);
            var curriculum = new dev.dca.foundry.curriculum.Curriculum(3, dev.dca.foundry.curriculum.Curriculum.Mix.DEFAULT);
            for (int i = 0; i < 300; i++) {
                var e = curriculum.example(i);
                long[] whole = tok.encode(ChatFormat.render(e.messages(), false), false, false).getIds();
                Batcher.Encoded seg = batcher.encode(e);
                assertThat(seg.ids()).as(e.toString()).containsExactly(whole);
                // the trained tokens decode to the assistant replies and their end-of-turn tokens
                StringBuilder trained = new StringBuilder();
                for (int k = 0; k < seg.ids().length; k++) if (seg.trained()[k]) trained.append(tok.decode(new long[] {seg.ids()[k]}, false));
                StringBuilder replies = new StringBuilder();
                for (Message m : e.messages()) if (m.role().equals("assistant")) replies.append(m.content()).append(ChatFormat.IM_END);
                assertThat(trained.toString()).isEqualTo(replies.toString());
            }
            Batcher.Batch b = batcher.batch(0);
            assertThat(b.targetTokens()).isPositive();
            assertThat(b.tokens()[0]).hasSize(257);
        }
    }
}
