package dev.dca.reasoning.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NumberGroundingTest {

    private static final String Q = "Tom has 17 apples and buys 25 more. He gives 1,200 cents to Ann. How many apples?";

    private static double score(String step, String... previous) {
        return new NumberGrounding().score(new StepContext(Q, null, List.of(previous), step, null, null));
    }

    @Test
    void operands_from_the_question_or_earlier_steps_are_grounded() {
        assertThat(score("Tom has 17+25=<<17+25=42>>42 apples.")).isEqualTo(1.0);
        assertThat(score("He has 42-1200=<<42-1200=-1158>>-1158.", "17+25=<<17+25=42>>42")).isEqualTo(1.0); // 1,200 as 1200
        assertThat(score("Twice that: 42*2=<<42*2=84>>84.", "Tom has 17+25=<<17+25=42>>42 apples.")).isEqualTo(1.0);
    }

    @Test
    void a_made_up_operand_lowers_the_score() {
        assertThat(score("Emma has 17+35=<<17+35=52>>52 apples.")).isEqualTo(0.5);
        assertThat(score("There are 4*11=<<4*11=44>>44 lemons.")).isEqualTo(0.0);
        assertThat(score("So 17 + 8 = 25 apples.")).isEqualTo(0.5); // plain arithmetic without an annotation
    }

    @Test
    void steps_without_arithmetic_have_no_opinion() {
        assertThat(score("Answer: 42")).isNaN();
        assertThat(score("He is happy.")).isNaN();
        assertThat(score("<<malformed")).isNaN();
    }
}
