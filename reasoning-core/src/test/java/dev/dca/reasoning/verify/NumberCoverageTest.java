package dev.dca.reasoning.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NumberCoverageTest {

    private static final String Q = "A jar holds 41 candies. Tom takes 11 for himself and divides the rest between 5 children. "
            + "How many candies does each child receive?";

    private static double coverage(String question, String context, String... steps) {
        List<String> all = List.of(steps);
        return new NumberCoverage().verify(new StepContext(question, context, all.subList(0, all.size() - 1), all.getLast(), "6", null), List.of("6"));
    }

    @Test
    void a_chain_that_uses_every_number_of_the_question_covers_it() {
        assertThat(coverage(Q, null, "The rest is 41-11=<<41-11=30>>30 candies.", "Each child receives 30/5=<<30/5=6>>6 candies."))
                .isEqualTo(1.0);
    }

    @Test
    void a_chain_of_another_shape_that_leaves_a_number_out_scores_its_share() {
        // the chain of a familiar problem: two of the three numbers
        assertThat(coverage(Q, null, "Each gets 41/5=<<41/5=8.2>>8.2 candies.")).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(coverage(Q, null, "He has 41+11=<<41+11=52>>52 candies.")).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        // a plain expression without annotation counts too; words that are not arithmetic do not
        assertThat(coverage(Q, null, "There are 41 candies and 11 are taken.")).isEqualTo(0.0);
        assertThat(coverage(Q, null, "41 - 11 = 30 are left.")).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void a_question_without_numbers_has_no_opinion_and_the_sources_numbers_are_not_required() {
        assertThat(coverage("How many candies does each child get?", "[1] A jar holds 41 candies.", "41/5=<<41/5=8.2>>8.2"))
                .isNaN();
        assertThat(coverage("Tom has 17 apples and buys 25 more. How many now?", "[1] Apples cost 3 dollars.",
                "He has 17+25=<<17+25=42>>42 apples.")).isEqualTo(1.0);
    }

    @Test
    void numbers_are_compared_as_numbers() {
        assertThat(coverage("She pays $1,250 and then $2.50 more.", null, "1250+2.5=<<1250+2.5=1252.5>>1252.5")).isEqualTo(1.0);
    }
}
