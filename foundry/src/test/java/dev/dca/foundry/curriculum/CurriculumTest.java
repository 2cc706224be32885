package dev.dca.foundry.curriculum;

import static org.assertj.core.api.Assertions.assertThat;

import com.ezylang.evalex.Expression;
import dev.dca.reasoning.ReasoningPrompt;
import dev.dca.reasoning.verify.Calculator;
import dev.dca.router.GroundedPrompt;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CurriculumTest {

    private static final Pattern ANNOTATION = Pattern.compile("<<([^<>=]+)=([^<>]+)>>(-?\\d+)");

    private static List<Example> examples(long seed, int n) {
        Curriculum c = new Curriculum(seed, Curriculum.Mix.DEFAULT);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(c.example(i));
        return out;
    }

    @Test
    void should_generate_the_same_examples_for_the_same_seed_and_different_ones_for_another() {
        assertThat(examples(5, 300)).isEqualTo(examples(5, 300));
        assertThat(new Curriculum(5, Curriculum.Mix.DEFAULT).example(1234)).isEqualTo(new Curriculum(5, Curriculum.Mix.DEFAULT).example(1234));
        List<Example> other = examples(6, 300);
        long same = 0;
        for (int i = 0; i < 300; i++) if (other.get(i).equals(examples(5, 300).get(i))) same++;
        assertThat(same).isLessThan(30); // only trivial small talk may coincide
        assertThat(Curriculum.holdout(1, 50)).isEqualTo(Curriculum.holdout(1, 50));
    }

    @Test
    void should_mix_all_four_parts_roughly_as_weighted() {
        Map<Example.Kind, Integer> counts = new EnumMap<>(Example.Kind.class);
        for (Example e : examples(1, 4000)) counts.merge(e.kind(), 1, Integer::sum);
        assertThat(counts.get(Example.Kind.ARITHMETIC)).isBetween(1600, 2000);
        assertThat(counts.get(Example.Kind.GROUNDED)).isBetween(1000, 1400);
        assertThat(counts.get(Example.Kind.INSTRUCTION)).isBetween(450, 750);
        assertThat(counts.get(Example.Kind.CHAT)).isBetween(250, 550);
    }

    @Test
    void every_calculator_annotation_should_evaluate_to_the_result_written() throws Exception {
        Calculator calculator = new Calculator();
        int checked = 0;
        List<String> solutions = new ArrayList<>();
        for (Example e : examples(11, 3000)) if (e.kind() == Example.Kind.ARITHMETIC) solutions.add(e.reply());
        for (Curriculum.HoldoutRecord r : Curriculum.holdout(11, 500)) solutions.add(r.answer());
        for (String solution : solutions) {
            for (String line : solution.split("\n")) {
                Matcher m = ANNOTATION.matcher(line);
                while (m.find()) {
                    BigDecimal value = new Expression(m.group(1)).evaluate().getNumberValue();
                    assertThat(value.compareTo(new BigDecimal(m.group(2)))).as(line).isZero();
                    assertThat(m.group(3)).as(line).isEqualTo(m.group(2));
                    checked++;
                }
                Calculator.Check check = calculator.check(line);
                assertThat(check.wrong()).as(line).isZero();
            }
        }
        assertThat(checked).isGreaterThan(2000);
    }

    @Test
    void arithmetic_replies_should_end_with_the_answer_line_the_reasoning_core_parses() {
        Set<Integer> operationCounts = new HashSet<>();
        int withSources = 0;
        for (Example e : examples(12, 2000)) {
            if (e.kind() != Example.Kind.ARITHMETIC) continue;
            assertThat(e.messages().get(0).content()).isIn(ReasoningPrompt.SYSTEM, ReasoningPrompt.DIRECT_SYSTEM);
            String user = e.messages().get(1).content();
            if (user.startsWith("Context:")) {
                withSources++;
                assertThat(user).startsWith("Context:\n" + Curriculum.SOURCES_HEADING + "\n[1] ").containsPattern("\n\nQuestion: [^\n]+\\?$");
            } else {
                assertThat(user).startsWith("Question: ");
            }
            assertThat(ReasoningPrompt.extractAnswer(e.reply())).isEqualTo(e.answer());
            String scratchpad = ReasoningPrompt.scratchpad(e.reply());
            int steps = ReasoningPrompt.steps(scratchpad).size();
            if (e.messages().get(0).content().equals(ReasoningPrompt.SYSTEM)) {
                assertThat(steps).isBetween(1, 4);
                operationCounts.add(steps);
                // the last step's result is the answer
                assertThat(scratchpad).contains(">>" + e.answer());
            } else {
                assertThat(steps).isZero();
            }
        }
        assertThat(operationCounts).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(withSources).isBetween(50, 250);
    }

    @Test
    void held_out_families_should_never_appear_in_training_data() {
        Set<String> families = new HashSet<>();
        List<String> holdoutMarkers = List.of("meters of fence", "an hour. How much does", "A jar holds", "water tank");
        for (Example e : examples(21, 6000)) {
            families.add(e.family());
            assertThat(ArithmeticProblems.HOLDOUT_FAMILIES).doesNotContain(e.family());
            for (String marker : holdoutMarkers) assertThat(e.question()).doesNotContain(marker);
        }
        assertThat(families).containsAll(ArithmeticProblems.trainingFamilies());
        List<Curriculum.HoldoutRecord> holdout = Curriculum.holdout(21, 400);
        Set<String> holdoutFamilies = new HashSet<>();
        for (Curriculum.HoldoutRecord r : holdout) {
            holdoutFamilies.add(r.family());
            assertThat(holdoutMarkers.stream().anyMatch(r.question()::contains)).as(r.question()).isTrue();
            assertThat(r.answer()).matches("(?s).*\\n#### \\d+$");
        }
        assertThat(holdoutFamilies).containsExactlyInAnyOrderElementsOf(ArithmeticProblems.HOLDOUT_FAMILIES);
    }

    @Test
    void every_held_out_family_should_share_its_operation_shape_with_a_training_family() {
        Map<String, Set<String>> trained = new java.util.HashMap<>();
        for (String family : ArithmeticProblems.trainingFamilies()) trained.put(family, shapes(family).keySet());
        for (String heldOut : ArithmeticProblems.HOLDOUT_FAMILIES) {
            String shape = dominant(shapes(heldOut));
            List<String> teachers = trained.entrySet().stream().filter(e -> e.getValue().contains(shape)).map(Map.Entry::getKey).toList();
            assertThat(teachers).as("training families with the shape %s of %s", shape, heldOut).isNotEmpty();
        }
        assertThat(dominant(shapes("perimeter"))).isEqualTo("q+q,r*2");
        assertThat(dominant(shapes("wages"))).isEqualTo("q*q,r*q");
        assertThat(dominant(shapes("tank"))).isEqualTo("q-q,r/q");
    }

    private static String dominant(Map<String, Integer> shapes) {
        return shapes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** Operation shapes of a family's solutions: per step the operator and where each operand comes from. */
    private static Map<String, Integer> shapes(String family) {
        Map<String, Integer> out = new java.util.HashMap<>();
        for (int i = 0; i < 200; i++) {
            ArithmeticProblems.Problem p = ArithmeticProblems.of(family, new Draw(Curriculum.random(77, i)));
            Set<String> questionNumbers = new HashSet<>();
            Matcher n = Pattern.compile("\\d+").matcher(p.question());
            while (n.find()) questionNumbers.add(n.group());
            List<String> results = new ArrayList<>();
            List<String> steps = new ArrayList<>();
            Matcher a = ANNOTATION.matcher(p.solution());
            while (a.find()) {
                Matcher e = Pattern.compile("(\\d+)([-+*/])(\\d+)").matcher(a.group(1));
                assertThat(e.matches()).as(a.group(1)).isTrue();
                steps.add(source(e.group(1), results, questionNumbers) + e.group(2) + source(e.group(3), results, questionNumbers));
                results.add(a.group(3));
            }
            out.merge(String.join(",", steps), 1, Integer::sum);
        }
        return out;
    }

    private static String source(String operand, List<String> results, Set<String> questionNumbers) {
        if (!results.isEmpty() && results.getLast().equals(operand)) return "r";
        if (questionNumbers.contains(operand)) return "q";
        return results.contains(operand) ? "r" : operand;
    }

    @Test
    void grounded_answers_should_cite_the_passage_that_states_the_fact() {
        Draw d = new Draw(Curriculum.random(31, 0));
        int answerable = 0, unanswerable = 0;
        for (int i = 0; i < 3000; i++) {
            GroundedQuestions.Item item = GroundedQuestions.generate(d);
            assertThat(item.passages()).hasSizeBetween(1, 4);
            String user = GroundedQuestions.userMessage(item);
            assertThat(user).isEqualTo(GroundedPrompt.render(item.question(), item.passages())).endsWith("Question: " + item.question());
            if (item.sourceNumber() == 0) {
                unanswerable++;
                assertThat(item.answer()).isEqualTo(GroundedPrompt.DONT_KNOW);
                continue;
            }
            answerable++;
            int n = item.sourceNumber();
            assertThat(item.answer()).endsWith(" [" + n + "].");
            // the cited passage states the fact, and no other passage does
            assertThat(item.passages().get(n - 1).text()).contains(item.fact());
            for (int k = 0; k < item.passages().size(); k++) {
                if (k != n - 1) assertThat(item.passages().get(k).text()).doesNotContain(item.fact());
            }
            // the answer restates the value the passage gives
            assertThat(item.answer()).contains(item.value());
            assertThat(item.fact()).contains(item.value()).matches(GroundedQuestions.statementPattern(item.attribute(), item.entity()));
        }
        assertThat(answerable).isGreaterThan(1800);
        assertThat(unanswerable).isGreaterThan(400);
    }

    @Test
    void some_passages_state_every_fact_of_their_entity_like_a_knowledge_base_document() {
        Draw d = new Draw(Curriculum.random(33, 0));
        int whole = 0, passages = 0;
        for (int i = 0; i < 1000; i++) {
            for (var p : GroundedQuestions.generate(d).passages()) {
                passages++;
                if (p.text().split("\\. ").length == 5) whole++; // every kind has five attributes, one sentence each
            }
        }
        assertThat((double) whole / passages).isBetween(0.25, 0.35);
        // the evaluation draws its own items: the same every time, and not the training stream's
        assertThat(GroundedEval.item(7)).isEqualTo(GroundedEval.item(7));
        assertThat(GroundedEval.item(7).question()).isNotEqualTo(GroundedQuestions.generate(new Draw(Curriculum.random(42, 7))).question());
    }

    @Test
    void unanswerable_questions_ask_for_something_no_passage_states() {
        Draw d = new Draw(Curriculum.random(32, 0));
        int checked = 0;
        for (int i = 0; i < 2000; i++) {
            GroundedQuestions.Item item = GroundedQuestions.generate(d);
            if (item.sourceNumber() != 0) continue;
            // the entity is in the sources, the asked attribute is stated about it nowhere
            String all = String.join("\n", item.passages().stream().map(p -> p.text()).toList());
            assertThat(all).contains(item.entity());
            assertThat(GroundedQuestions.statementPattern(item.attribute(), item.entity()).matcher(all).find()).as(all).isFalse();
            checked++;
        }
        assertThat(checked).isGreaterThan(300);
    }

    @Test
    void holdout_jsonl_should_be_in_gsm8k_form() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("holdout", ".jsonl");
        try {
            Curriculum.writeHoldoutJsonl(f, 1, 20);
            List<String> lines = java.nio.file.Files.readAllLines(f);
            assertThat(lines).hasSize(20);
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String line : lines) {
                var node = json.readTree(line);
                assertThat(node.path("question").asText()).endsWith("?");
                assertThat(node.path("answer").asText()).containsPattern("#### \\d+$");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

}
