package dev.dca.foundry.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.dca.foundry.curriculum.Curriculum;
import dev.dca.runtime.chat.Message;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    @TempDir
    static Path folder;

    static BpeTrainer.Result result;

    @BeforeAll
    static void train() throws Exception {
        Curriculum c = new Curriculum(3, Curriculum.Mix.DEFAULT);
        BpeTrainer bpe = new BpeTrainer(1024);
        for (int i = 0; i < 3000; i++) bpe.add(ChatFormat.render(c.example(i).messages(), false));
        result = bpe.train();
        result.write(folder, 512);
    }

    @Test
    void should_reach_the_requested_vocabulary_with_specials_first_and_all_bytes() {
        assertThat(result.vocabSize()).isEqualTo(1024);
        assertThat(result.tokens().subList(0, 3)).containsExactly("<|endoftext|>", "<|im_start|>", "<|im_end|>");
        assertThat(result.tokens().subList(3, 259)).doesNotHaveDuplicates().hasSize(256);
        assertThat(result.merges()).hasSize(1024 - 259);
    }

    @Test
    void should_load_through_the_hugging_face_loader_and_round_trip_any_text() throws Exception {
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(folder)) {
            for (String text : List.of("Tom has 17 apples and buys 25 more.", "Ünïcödé ✓ 日本語 emoji 🙂 and tabs\tand\nnewlines  ",
                    "x=<<48/2=24>>24\n#### 24", "", "   leading spaces", "it's they'll WE'VE")) {
                long[] ids = tok.encode(text, false, false).getIds();
                assertThat(tok.decode(ids, false)).as(text).isEqualTo(text);
            }
        }
    }

    @Test
    void should_keep_special_tokens_whole_and_split_digits_one_by_one() throws Exception {
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(folder)) {
            Encoding e = tok.encode("<|im_start|>user\nHi 2048<|im_end|>", false, false);
            long[] ids = e.getIds();
            assertThat(ids[0]).isEqualTo(ChatFormat.IM_START_ID);
            assertThat(ids[ids.length - 1]).isEqualTo(ChatFormat.EOS_ID);
            List<String> tokens = Arrays.asList(e.getTokens());
            assertThat(tokens).containsSubsequence("\u0120" + "2", "0", "4", "8"); // one token per digit (the space joins the first)
            assertThat(tokens.stream().filter(t -> t.matches(".*\\d.*\\d.*"))).isEmpty();
        }
    }

    @Test
    void should_compress_the_curriculum_well_below_one_token_per_byte() throws Exception {
        Curriculum c = new Curriculum(99, Curriculum.Mix.DEFAULT);
        long bytes = 0, tokens = 0;
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(folder)) {
            for (int i = 0; i < 200; i++) {
                String text = ChatFormat.render(c.example(i).messages(), false);
                bytes += text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                tokens += tok.encode(text, false, false).getIds().length;
            }
        }
        System.out.printf("curriculum: %.2f bytes per token, %.0f tokens per example%n", (double) bytes / tokens, tokens / 200.0);
        assertThat((double) bytes / tokens).isGreaterThan(2.5);
    }

    @Test
    void chat_template_should_render_like_the_java_chat_format() throws Exception {
        var template = new com.hubspot.jinjava.Jinjava();
        List<Message> msgs = List.of(Message.system("S"), Message.user("Q?"), Message.assistant("A."));
        var ctx = new java.util.HashMap<String, Object>();
        ctx.put("messages", msgs.stream().map(m -> java.util.Map.of("role", m.role(), "content", m.content())).toList());
        ctx.put("bos_token", ChatFormat.BOS);
        ctx.put("add_generation_prompt", true);
        String rendered = template.render(ChatFormat.JINJA_TEMPLATE, ctx);
        assertThat(rendered).isEqualTo(ChatFormat.render(msgs, true));
    }
}
