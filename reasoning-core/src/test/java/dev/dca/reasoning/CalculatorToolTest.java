package dev.dca.reasoning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dca.reasoning.policy.Continuation;
import dev.dca.reasoning.policy.Policy;
import dev.dca.reasoning.policy.PolicyRequest;
import dev.dca.reasoning.search.ChainOfThought;
import dev.dca.reasoning.verify.Calculator;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A single chain with the calculator as a tool: a corrected step is what the next step builds on. */
class CalculatorToolTest {

    /**
     * Adds 3 and 4 wrongly (8), then doubles whatever the scratchpad's last result is, correctly, then answers it.
     * Writes the whole rest of the chain unless stopped at a step delimiter, like a model does.
     */
    static final class SlipThenDouble implements Policy {
        private static final Pattern LAST = Pattern.compile(">>(-?\\d+)");
        int calls;

        @Override
        public List<Continuation> sample(PolicyRequest r) {
            calls++;
            String prefix = r.assistantPrefix();
            Matcher m = LAST.matcher(prefix);
            String last = null;
            int lines = 0;
            while (m.find()) {
                last = m.group(1);
                lines++;
            }
            String rest;
            if (prefix.endsWith(ReasoningPrompt.ANSWER_MARKER)) {
                rest = " " + last;
            } else {
                List<String> todo = new ArrayList<>();
                int x = lines == 0 ? 8 : Integer.parseInt(last);
                if (lines == 0) todo.add("3+4=<<3+4=8>>8 apples.");
                if (lines <= 1) todo.add("Doubled: " + x + "*2=<<" + x + "*2=" + 2 * x + ">>" + 2 * x + " apples.");
                todo.add("Answer: " + (lines >= 2 ? x : 2 * x));
                rest = String.join("\n", todo);
            }
            for (String stop : r.stopStrings()) {
                int i = rest.indexOf(stop);
                if (i >= 0) rest = rest.substring(0, i);
            }
            return java.util.Collections.nCopies(r.n(), new Continuation(rest, rest.split("\\s+").length, null, null, false));
        }

        @Override
        public int promptTokens(PolicyRequest request) {
            return 10;
        }
    }

    @Test
    void a_chain_without_the_tool_keeps_its_slip() {
        ReasoningResult r = Reasoner.builder().policy(new SlipThenDouble()).effort(Effort.LOW)
                .strategy(new ChainOfThought()).calculator(null, false).build().solve("Tom has 3 apples and gets 4. Double them.");
        assertThat(r.answer()).isEqualTo("16");
    }

    @Test
    void a_chain_with_the_tool_is_written_step_by_step_on_corrected_results() {
        SlipThenDouble policy = new SlipThenDouble();
        ReasoningResult r = Reasoner.builder().policy(policy).effort(Effort.LOW).strategy(new ChainOfThought())
                .calculator(new Calculator(), true).build().solve("Tom has 3 apples and gets 4. Double them.");
        assertThat(r.answer()).isEqualTo("14");
        assertThat(r.reasoning()).contains("3+4=<<3+4=7>>7").contains("7*2=<<7*2=14>>14");
        assertThat(policy.calls).isEqualTo(3); // two steps and the answer line, each its own call
    }

    @Test
    void the_tool_is_on_by_default_and_an_explicit_null_turns_it_off() {
        String q = "Tom has 3 apples and gets 4. Double them.";
        ReasoningResult byDefault = Reasoner.builder().policy(new SlipThenDouble()).effort(Effort.HIGH)
                .strategy(new ChainOfThought()).build().solve(q);
        assertThat(byDefault.answer()).isEqualTo("14");
        ReasoningResult off = Reasoner.builder().policy(new SlipThenDouble()).effort(Effort.HIGH)
                .strategy(new ChainOfThought()).calculator(null, true).build().solve(q);
        assertThat(off.answer()).isEqualTo("16");
    }

    @Test
    void self_consistency_with_the_tool_writes_its_chains_in_lockstep_on_corrected_results() {
        SlipThenDouble policy = new SlipThenDouble();
        ReasoningResult r = Reasoner.builder().policy(policy).effort(Effort.MEDIUM)
                .strategy(new dev.dca.reasoning.search.SelfConsistency(3)).verifier(null).build()
                .solve("Tom has 3 apples and gets 4. Double them.");
        assertThat(r.answer()).isEqualTo("14");
        assertThat(r.stats().votes()).containsEntry("14", 3.0);
        // first steps: the greedy chain, then the 2 sampled ones forking the prompt (2 calls); then one batched call
        // per further step for all 3 chains (2 calls)
        assertThat(r.stats().calls()).isEqualTo(4);
    }
}
