package dev.dca.runtime.tokenizer;

import dev.dca.runtime.SharedFixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cTokenizerTest {

    @TempDir Path tmp;

    private static int[] ints(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }

    @Test
    void should_encode_every_reference_prompt_like_llama2c_run_c() throws Exception {
        Path tok = SharedFixtures.require("models/stories260K/tok512.bin");
        Path ref = SharedFixtures.require("models/stories260K/reference/llama2c-greedy.json");
        Llama2cTokenizer tokenizer = Llama2cTokenizer.load(tok);
        JsonNode cases = new ObjectMapper().readTree(ref.toFile()).get("cases");

        assertThat(tokenizer.vocabSize()).isEqualTo(512);
        assertThat(cases.size()).isEqualTo(6);
        for (JsonNode c : cases) {
            assertThat(tokenizer.encode(c.get("prompt").asText(), true))
                    .as("prompt %s", c.get("prompt"))
                    .containsExactly(ints(c.get("prompt_tokens")));
        }
    }

    @Test
    void should_decode_prompt_and_generated_ids_to_the_reference_text() throws Exception {
        Llama2cTokenizer tokenizer = Llama2cTokenizer.load(SharedFixtures.require("models/stories260K/tok512.bin"));
        JsonNode cases = new ObjectMapper()
                .readTree(SharedFixtures.require("models/stories260K/reference/llama2c-greedy.json").toFile())
                .get("cases");
        for (JsonNode c : cases) {
            int[] prompt = ints(c.get("prompt_tokens"));
            int[] generated = ints(c.get("generated_tokens"));
            int[] all = IntStream.concat(Arrays.stream(prompt), Arrays.stream(generated)).toArray();
            assertThat(tokenizer.decode(all)).as("case %s", c.get("prompt")).isEqualTo(c.get("text").asText());
        }
    }

    @Test
    void should_not_add_bos_without_special_tokens_and_round_trip_text() {
        Llama2cTokenizer tokenizer = Llama2cTokenizer.load(SharedFixtures.require("models/stories260K/tok512.bin"));
        int[] ids = tokenizer.encode("The cat sat.", false);
        assertThat(ids[0]).isNotEqualTo(Llama2cTokenizer.BOS);
        assertThat(tokenizer.encode("", true)).containsExactly(Llama2cTokenizer.BOS);
        assertThat(tokenizer.encode("", false)).isEmpty();
        int[] withBos = tokenizer.encode("héllo wörld ∑ 日本", true);
        assertThat(tokenizer.decode(withBos)).isEqualTo("héllo wörld ∑ 日本");
        assertThat(tokenizer.eosTokenIds()).containsExactly(2);
        assertThat(tokenizer.bosTokenId()).hasValue(1);
    }

    @Test
    void should_read_exactly_the_checkpoint_vocab_size_like_run_c() {
        Path tok = SharedFixtures.require("models/stories260K/tok512.bin");
        assertThat(Llama2cTokenizer.load(tok, 512).vocabSize()).isEqualTo(512);
        assertThat(Llama2cTokenizer.load(tok, 300).vocabSize()).isEqualTo(300);
        assertThatThrownBy(() -> Llama2cTokenizer.load(tok, 600))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(tok.toString())
                .hasMessageContaining("600");
    }

    @Test
    void should_name_the_file_when_it_is_missing() {
        Path missing = tmp.resolve("tokenizer.bin");
        assertThatThrownBy(() -> Llama2cTokenizer.load(missing))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("not found");
    }

    @Test
    void should_reject_a_truncated_tokenizer_with_a_one_line_message() throws Exception {
        byte[] good = Files.readAllBytes(SharedFixtures.require("models/stories260K/tok512.bin"));
        Path bad = tmp.resolve("tok512.bin");
        for (int cut : new int[] {0, 3, 4 + 5, good.length / 2 + 1, good.length - 1}) {
            Files.write(bad, Arrays.copyOf(good, cut));
            assertThatThrownBy(() -> Llama2cTokenizer.load(bad))
                    .as("truncated to %d bytes", cut)
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageStartingWith(bad.toString())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void should_reject_a_token_length_that_lies() throws Exception {
        byte[] good = Files.readAllBytes(SharedFixtures.require("models/stories260K/tok512.bin"));
        byte[] corrupt = good.clone();
        // first record: float score at 4, int32 length at 8
        ByteBuffer.wrap(corrupt).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1 << 30);
        Path bad = tmp.resolve("tokenizer.bin");
        Files.write(bad, corrupt);
        assertThatThrownBy(() -> Llama2cTokenizer.load(bad))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("length");
    }

    @Test
    void should_survive_random_bit_flips_with_a_format_error_or_a_valid_load() throws Exception {
        byte[] good = Files.readAllBytes(SharedFixtures.require("models/stories260K/tok512.bin"));
        java.util.Random random = new java.util.Random(42);
        Path bad = tmp.resolve("flipped.bin");
        for (int i = 0; i < 100; i++) {
            byte[] corrupt = good.clone();
            int at = random.nextInt(corrupt.length);
            corrupt[at] ^= (byte) (1 << random.nextInt(8));
            Files.write(bad, corrupt);
            try {
                Tokenizer t = Llama2cTokenizer.load(bad);
                assertThat(t.vocabSize()).isPositive();
                t.encode("Once upon a time", true);
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).startsWith(bad.toString()).doesNotContain("\n");
            }
        }
    }
}
