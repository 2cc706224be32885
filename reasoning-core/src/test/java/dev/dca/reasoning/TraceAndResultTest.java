package dev.dca.reasoning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.reasoning.search.BeamSearch;
import dev.dca.reasoning.search.Mcts;
import dev.dca.reasoning.search.Reflect;
import dev.dca.reasoning.search.SelfConsistency;
import dev.dca.reasoning.trace.TraceNode;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceAndResultTest {

    private static List<JsonNode> export(ReasoningResult r, String gold) throws Exception {
        StringWriter w = new StringWriter();
        r.trace().writeJsonl(w, gold);
        List<JsonNode> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : w.toString().split("\n")) out.add(json.readTree(line));
        return out;
    }

    @Test
    void should_export_every_node_with_scores_visits_values_and_correctness() throws Exception {
        ReasoningResult r = Reasoner.builder().policy(new ScriptedPolicy(0.7, 3)).strategy(new Mcts(30, 3, 6, 1.0))
                .scorer(new NoisyOracle(0.1)).seed(4).build().solve(ScriptedPolicy.question(1, 20));
        List<JsonNode> lines = export(r, "20");
        List<JsonNode> nodes = lines.stream().filter(l -> l.get("type").asText().equals("node")).toList();
        assertThat(nodes).hasSize(r.trace().size());
        for (JsonNode n : nodes) {
            assertThat(n.has("text") && n.has("scores") && n.has("visits") && n.has("value") && n.has("correct")).isTrue();
        }
        assertThat(nodes.get(0).get("visits").asInt()).isGreaterThan(0);
        assertThat(nodes.stream().filter(n -> n.get("chosen").asBoolean())).hasSize(1);
        List<TraceNode> snap = r.trace().nodes("20");
        for (TraceNode t : snap) {
            if (t.answer() != null) assertThat(t.correct()).isEqualTo(t.answer().equals("20"));
        }
        // a slip and an ok step below the same prefix make a chosen/rejected pair when both reached answers
        List<JsonNode> pairs = lines.stream().filter(l -> l.get("type").asText().equals("pair")).toList();
        for (JsonNode p : pairs) {
            assertThat(p.get("reason").asText()).isEqualTo("gold");
            assertThat(p.get("chosen").asText()).isNotEqualTo(p.get("rejected").asText());
        }
    }

    @Test
    void should_make_gold_pairs_from_sibling_chains() throws Exception {
        // whole chains (no calculator: with it, chains are written step-wise and pairs are sibling steps)
        ReasoningResult r = Reasoner.builder().policy(new ScriptedPolicy(0.75, 3)).strategy(new SelfConsistency(10))
                .calculator(null, false).seed(2).build().solve(ScriptedPolicy.question(1, 30));
        List<JsonNode> pairs = export(r, "30").stream().filter(l -> l.get("type").asText().equals("pair")).toList();
        assertThat(pairs).isNotEmpty();
        for (JsonNode p : pairs) {
            assertThat(p.get("chosen").asText()).endsWith("Answer: 30");
            assertThat(p.get("rejected").asText()).endsWith("Answer: 31");
        }
    }

    @Test
    void should_report_usage_stats_and_a_summary() {
        ReasoningResult r = Reasoner.builder().policy(new ScriptedPolicy(0.8, 4)).strategy(new BeamSearch(2, 3, 8))
                .scorer(new NoisyOracle(0.1)).budget(Budget.builder().maxReasoningTokens(500).build()).seed(9).build()
                .solve(ScriptedPolicy.question(3, 12));
        assertThat(r.answer()).isEqualTo("12");
        assertThat(r.usage().promptTokens()).isPositive();
        assertThat(r.usage().reasoningTokens()).isEqualTo(r.usage().completionTokens()).isPositive();
        assertThat(r.stats().calls()).isPositive();
        assertThat(r.stats().samples()).isGreaterThanOrEqualTo(r.stats().calls());
        assertThat(r.stats().votes()).containsKey("12");
        assertThat(r.stats().bestScore()).isBetween(0.0, 1.0);
        assertThat(r.stats().modelTime()).isLessThanOrEqualTo(r.stats().wallTime());
        assertThat(r.confidence()).isBetween(0.0, 1.0);
        assertThat(r.summary()).contains("beam").contains("reasoning tokens").doesNotContain("\n");
    }

    @Test
    void should_revise_a_draft_that_the_critique_rejects() {
        int revised = 0;
        for (int seed = 0; seed < 40; seed++) {
            ReasoningResult r = Reasoner.builder().policy(new ScriptedPolicy(0.6, 3)).strategy(new Reflect(2)).seed(seed)
                    .build().solve(ScriptedPolicy.question(seed, 50));
            long drafts = r.trace().nodes(null).stream().filter(n -> n.kind().equals("draft")).count();
            long critiques = r.trace().nodes(null).stream().filter(n -> n.kind().equals("critique")).count();
            assertThat(critiques).isBetween(1L, 2L);
            assertThat(drafts).isBetween(1L, 3L);
            if (drafts > 1) revised++;
        }
        assertThat(revised).isPositive();
    }

    @Test
    void should_reject_a_blank_question() {
        var reasoner = Reasoner.builder().policy(new ScriptedPolicy(1, 1)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reasoner.solve("  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }
}
