package dev.dca.runtime.tokenizer;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.runtime.gguf.GgufFile;
import dev.dca.runtime.gguf.GgufReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GgufTokenizerTest {

    /** A tiny SentencePiece vocabulary: specials, byte fallback, a few pieces with scores. */
    private static Map<String, Object> tinySpm() {
        List<Object> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<|user|>"));
        List<Object> types = new ArrayList<>(List.of(2, 3, 3, 4));
        List<Object> scores = new ArrayList<>(List.of(0f, 0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
            scores.add(0f);
        }
        String[] pieces = {"▁", "h", "i", "▁h", "▁hi", "!"};
        float[] s = {-1f, -2f, -2f, -1.5f, -0.5f, -3f};
        for (int i = 0; i < pieces.length; i++) {
            tokens.add(pieces[i]);
            types.add(1);
            scores.add(s[i]);
        }
        Map<String, Object> m = new HashMap<>();
        m.put("tokenizer.ggml.model", "llama");
        m.put("tokenizer.ggml.tokens", tokens);
        m.put("tokenizer.ggml.token_type", types);
        m.put("tokenizer.ggml.scores", scores);
        m.put("tokenizer.ggml.bos_token_id", 1L);
        m.put("tokenizer.ggml.eos_token_id", 2L);
        return m;
    }

    private static int id(GgufTokenizer t, String piece) {
        for (int i = 0; i < t.vocabSize(); i++) if (t.tokenText(i).equals(piece)) return i;
        throw new AssertionError(piece);
    }

    @Test
    void should_prefix_a_space_merge_by_score_and_fall_back_to_bytes() {
        GgufTokenizer t = GgufTokenizer.fromMetadata(tinySpm());
        // " hi" -> ▁hi ; "é" has no piece -> its two UTF-8 bytes
        assertThat(t.encode("hi", true, false)).containsExactly(1, id(t, "▁hi"));
        assertThat(t.encode("hié", false, false)).containsExactly(id(t, "▁hi"), 4 + 0xC3, 4 + 0xA9);
        assertThat(t.decode(t.encode("hi hié!", true))).isEqualTo("hi hié!");
    }

    @Test
    void should_match_user_defined_tokens_always_and_control_tokens_only_when_parsing_specials() {
        GgufTokenizer t = GgufTokenizer.fromMetadata(tinySpm());
        int user = id(t, "<|user|>");
        assertThat(t.encode("<|user|>hi", false, false)).containsExactly(user, id(t, "▁hi"));
        assertThat(t.encode("hi</s>", false, true)).containsExactly(id(t, "▁hi"), 2);
        assertThat(t.encode("hi</s>", false, false)).doesNotContain(2);
        assertThat(t.decode(new int[] {1, id(t, "▁hi"), 2}, true)).isEqualTo("hi");
        assertThat(t.decode(new int[] {1, id(t, "▁hi"), 2}, false)).isEqualTo("<s> hi</s>");
    }

    @Test
    void should_honour_add_bos_add_eos_and_report_end_of_generation_ids() {
        Map<String, Object> m = tinySpm();
        m.put("tokenizer.ggml.add_bos_token", false);
        m.put("tokenizer.ggml.add_eos_token", true);
        GgufTokenizer t = GgufTokenizer.fromMetadata(m);
        assertThat(t.encode("hi", true)).containsExactly(id(t, "▁hi"), 2);
        assertThat(t.bosTokenId()).hasValue(1);
        assertThat(t.eosTokenIds()).contains(2);
        assertThat(t.addsBos()).isFalse();
    }

    @Test
    void should_reject_unsupported_or_incomplete_tokenizer_metadata() {
        Map<String, Object> rwkv = tinySpm();
        rwkv.put("tokenizer.ggml.model", "rwkv");
        assertThatThrownBy(() -> GgufTokenizer.fromMetadata(rwkv)).hasMessageContaining("rwkv").hasMessageContaining("supported");
        Map<String, Object> gpt2 = tinySpm();
        gpt2.put("tokenizer.ggml.model", "gpt2");
        assertThatThrownBy(() -> GgufTokenizer.fromMetadata(gpt2)).hasMessageContaining("merges");
        Map<String, Object> pre = tinySpm();
        pre.put("tokenizer.ggml.model", "gpt2");
        pre.put("tokenizer.ggml.merges", List.of("h i"));
        pre.put("tokenizer.ggml.pre", "no-such-pre");
        assertThatThrownBy(() -> GgufTokenizer.fromMetadata(pre)).hasMessageContaining("no-such-pre");
        Map<String, Object> wrongType = tinySpm();
        wrongType.put("tokenizer.ggml.scores", java.util.Collections.nCopies(300, "x"));
        assertThatThrownBy(() -> GgufTokenizer.fromMetadata(wrongType))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wrong type");
        Map<String, Object> shortScores = tinySpm();
        shortScores.put("tokenizer.ggml.scores", List.of(0f));
        assertThatThrownBy(() -> GgufTokenizer.fromMetadata(shortScores)).hasMessageContaining("scores");
    }

    @Test
    void should_read_the_stories260K_gguf_vocabulary_like_its_llama2c_tokenizer() throws Exception {
        Path gguf = SharedFixtures.require("models/stories260K-gguf");
        Path f32;
        try (var files = java.nio.file.Files.list(gguf)) {
            f32 = files.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().findFirst().orElse(null);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(f32 != null, "no .gguf in " + gguf);
        GgufTokenizer fromGguf;
        try (GgufFile g = GgufReader.open(f32)) {
            fromGguf = GgufTokenizer.fromMetadata(g.metadata());
        }
        Llama2cTokenizer llama2c = Llama2cTokenizer.load(SharedFixtures.require("models/stories260K/tok512.bin"));
        for (String prompt : List.of("Once upon a time", "Lily and Ben went to the park.", "The cat", "",
                "Tom said, \"Hello!\"", "héllo wörld ∑ 日本")) {
            assertThat(fromGguf.encode(prompt, true)).as(prompt).containsExactly(llama2c.encode(prompt, true));
        }
    }
}
