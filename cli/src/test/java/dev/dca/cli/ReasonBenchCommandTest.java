package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ReasonBenchCommandTest {

    @Test
    void reports_every_search_and_the_ratio_of_each_interleaved_pair() throws Exception {
        CliRunner.Result r = CliRunner.run("", "reason-bench", "--model", CliRunner.stories260K().toString(), "--chain-tokens", "8",
                "--step-tokens", "4", "--repeat", "2", "--json");
        JsonNode json = r.json();
        assertThat(json.get("results").fieldNames()).toIterable()
                .containsExactly("one chain", "sc@8 batched", "sc@8 sequential", "beam 4x4 batched", "beam 4x4 sequential");
        JsonNode sc8 = json.get("results").get("sc@8 batched");
        assertThat(sc8.get("samples").asInt()).isGreaterThanOrEqualTo(8);
        assertThat(json.get("sc8_over_one_chain_runs")).hasSize(2);
        for (JsonNode ratio : json.get("sc8_over_one_chain_runs")) assertThat(ratio.asDouble()).isPositive();
        assertThat(json.get("sc8_over_one_chain").asDouble())
                .isCloseTo(sc8.get("wall_s").asDouble() / json.get("results").get("one chain").get("wall_s").asDouble(),
                        org.assertj.core.data.Offset.offset(1e-9));
        // the two progress lines of each pair alternate on stderr
        assertThat(r.err()).containsSubsequence("cot run 1/2", "self-consistency n=8 run 1/2", "cot run 2/2", "self-consistency n=8 run 2/2");
    }
}
