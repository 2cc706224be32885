package dev.dca.foundry.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.safetensors.SafetensorsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir
    Path out;

    @Test
    void should_lower_the_loss_and_write_a_hugging_face_llama_folder() throws Exception {
        TrainConfig c = TrainConfig.TINY;
        Trainer.Result r = new Trainer(c, out, new TrainListener() {
            @Override public void onStep(StepStats s) { System.out.printf("step %d loss %.3f %.0f tok/s%n", s.step(), s.loss(), s.tokensPerSecond()); }
        }).run(false);
        List<Double> l = r.losses();
        assertThat(l).hasSize(c.steps());
        double first = (l.get(0) + l.get(1)) / 2, last = (l.get(l.size() - 1) + l.get(l.size() - 2)) / 2;
        System.out.printf("tiny run: loss %.3f -> %.3f, %.0f tok/s, %d params, losses %s%n", first, last, r.tokensPerSecond(), r.parameters(), l);
        assertThat(last).isLessThan(first - 0.5);

        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "train-config.json", "loss.csv", "loss-curve.png", "checkpoint/state.safetensors", "checkpoint/step.json")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(config.path("model_type").asText()).isEqualTo("llama");
        int vocab = config.path("vocab_size").asInt();
        try (SafetensorsReader st = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertThat(st.shape("model.embed_tokens.weight")).containsExactly(vocab, c.hiddenSize());
            assertThat(st.shape("model.layers.1.self_attn.k_proj.weight")).containsExactly((long) c.numKvHeads() * c.headDim(), c.hiddenSize());
            assertThat(st.shape("model.layers.0.mlp.down_proj.weight")).containsExactly(c.hiddenSize(), c.intermediateSize());
            assertThat(st.names()).doesNotContain("lm_head.weight");
        }
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(out)) {
            assertThat(tok.decode(tok.encode("Tom has 17 apples.", false, false).getIds())).isEqualTo("Tom has 17 apples.");
        }
    }
}
