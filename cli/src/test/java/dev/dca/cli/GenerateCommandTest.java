package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dca generate}, {@code dca model info} and {@code dca bench} on stories260K. */
class GenerateCommandTest {

    @Test
    void generate_json_gives_prompt_tokens_with_bos_and_the_greedy_continuation() throws Exception {
        String model = CliRunner.stories260K().toString();
        CliRunner.Result r = CliRunner.run("", "generate", "--model", model, "--prompt", "Once upon a time", "--max-tokens", "10", "--json");
        JsonNode json = r.json();
        assertThat(json.get("prompt_tokens").toString()).isEqualTo("[1,403,407,261,378]");
        assertThat(json.get("tokens").toString()).isEqualTo("[432,383,286,261,376,298,315,421,395,317]"); // run.c's greedy
        assertThat(json.get("text").asText()).isEqualTo(", there was a little girl named Lily");
    }

    @Test
    void generate_from_token_ids_streams_text() {
        CliRunner.Result r = CliRunner.run("", "generate", "--model", CliRunner.stories260K().resolve("stories260K.bin").toString(),
                "--token-ids", "1,403,407,261,378", "--max-tokens", "10");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(", there was a little girl named Lily");
    }

    @Test
    void model_info_json_describes_the_checkpoint() throws Exception {
        CliRunner.Result r = CliRunner.run("", "model", "info", CliRunner.stories260K().toString(), "--json");
        JsonNode json = r.json();
        assertThat(json.get("format").asText()).isEqualTo("llama2c");
        assertThat(json.get("parameters").asLong()).isEqualTo(260032);
        assertThat(json.get("layers").asInt()).isEqualTo(5);
        assertThat(json.get("special_tokens").get("bos").asInt()).isEqualTo(1);
        assertThat(json.get("chat_template").asBoolean()).isFalse();
    }

    @Test
    void bench_reports_throughput_per_batch() throws Exception {
        CliRunner.Result r = CliRunner.run("", "bench", "--model", CliRunner.stories260K().toString(), "--batch", "1,2",
                "--prompt-tokens", "8", "--gen-tokens", "4", "--json");
        JsonNode json = r.json();
        assertThat(json.get("results")).hasSize(2);
        assertThat(json.get("results").get(1).get("decode_tok_s").asDouble()).isPositive();
    }

    @Test
    void bench_repeat_reports_the_median_of_interleaved_runs() throws Exception {
        CliRunner.Result r = CliRunner.run("", "bench", "--model", CliRunner.stories260K().toString(), "--batch", "1,2",
                "--prompt-tokens", "8", "--gen-tokens", "4", "--repeat", "3", "--json");
        JsonNode json = r.json();
        assertThat(json.get("repeat").asInt()).isEqualTo(3);
        for (JsonNode row : json.get("results")) {
            JsonNode runs = row.get("decode_tok_s_runs");
            assertThat(runs).hasSize(3);
            double[] sorted = java.util.stream.StreamSupport.stream(runs.spliterator(), false).mapToDouble(JsonNode::asDouble).sorted().toArray();
            assertThat(row.get("decode_tok_s").asDouble()).isEqualTo(sorted[1]);
        }
        assertThat(CliRunner.run("", "bench", "--model", CliRunner.stories260K().toString(), "--repeat", "0").exitCode()).isEqualTo(2);
    }

    @Test
    void bench_medians_average_the_middle_two_of_an_even_count() {
        Map<String, Object> row = BenchCommand.medians(List.of(
                Map.of("batch", 8, "decode_tok_s", 10.0), Map.of("batch", 8, "decode_tok_s", 40.0),
                Map.of("batch", 8, "decode_tok_s", 20.0), Map.of("batch", 8, "decode_tok_s", 30.0)));
        assertThat(row.get("batch")).isEqualTo(8);
        assertThat(row.get("decode_tok_s")).isEqualTo(25.0);
        assertThat(row.get("decode_tok_s_runs")).isEqualTo(List.of(10.0, 40.0, 20.0, 30.0));
    }

    @Test
    void a_missing_model_is_one_line_exit_2() {
        CliRunner.Result r = CliRunner.run("", "generate", "--model", "/nonexistent/model", "--prompt", "x");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("dca: /nonexistent/model: no such file or folder");
    }
}
