package dev.dca.reasoning;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReasoningPromptTest {

    @Test
    void should_split_a_reply_into_hidden_scratchpad_and_visible_answer() {
        String reply = "16 - 3 - 4 = 9 eggs left\n9 * 2 = 18 dollars\nAnswer: 18\nI hope this helps";
        assertThat(ReasoningPrompt.extractAnswer(reply)).isEqualTo("18");
        assertThat(ReasoningPrompt.scratchpad(reply)).isEqualTo("16 - 3 - 4 = 9 eggs left\n9 * 2 = 18 dollars");
        assertThat(ReasoningPrompt.cutAfterAnswer(reply)).endsWith("Answer: 18");
        assertThat(ReasoningPrompt.steps(ReasoningPrompt.scratchpad(reply))).hasSize(2);
    }

    @Test
    void should_read_answer_lines_with_markdown_or_a_final_period() {
        assertThat(ReasoningPrompt.extractAnswer("**Answer:** 42.")).isEqualTo("42");
        assertThat(ReasoningPrompt.extractAnswer("x\nAnswer: the blue one.")).isEqualTo("the blue one");
        assertThat(ReasoningPrompt.extractAnswer("Answer: 3.5")).isEqualTo("3.5");
        assertThat(ReasoningPrompt.extractAnswer("no marker here")).isNull();
        assertThat(ReasoningPrompt.isAnswerLine("Answer: 7")).isTrue();
        assertThat(ReasoningPrompt.isAnswerLine("The Answer: is near")).isFalse();
    }

    @Test
    void should_put_context_before_the_question_and_parse_verdicts() {
        var conv = ReasoningPrompt.conversation("What is 2+2?", "Doc: two and two make four.");
        assertThat(conv.get(0).role()).isEqualTo("system");
        assertThat(conv.get(1).content()).startsWith("Context:\nDoc:").endsWith("Question: What is 2+2?");
        assertThat(ReasoningPrompt.verdict("step 2 is off.\nVerdict: wrong")).isFalse();
        assertThat(ReasoningPrompt.verdict("Verdict: **correct**")).isTrue();
        assertThat(ReasoningPrompt.verdict("looks fine")).isNull();
    }
}
