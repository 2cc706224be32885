package dev.dca.reasoning.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordGroundingTest {

    private static final String Q = "Tara works 7 hours a day for 4 days and earns $6 an hour. How much does she earn in dollars?";

    private static double score(String question, String step, String... previous) {
        return new WordGrounding().score(new StepContext(question, null, List.of(previous), step, null, null));
    }

    @Test
    void a_step_about_the_questions_things_scores_higher_than_one_about_another_problems() {
        double right = score(Q, "She works 7*4=<<7*4=28>>28 hours.");
        double borrowed = score(Q, "The hats cost 7*4=<<7*4=28>>28 dollars.");
        assertThat(right).isEqualTo(1.0); // "works", "hours"
        assertThat(borrowed).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9)); // only "dollars"
    }

    @Test
    void plurals_fold_and_earlier_steps_count_as_known() {
        assertThat(WordGrounding.words("The boxes hold candies and apples; glasses too"))
                .containsExactly("box", "hold", "candy", "apple", "glass", "too");
        assertThat(score("A jar holds 41 candies.", "Each candy is 41/1=<<41/1=41>>41 grams.", "Grams are light.")).isEqualTo(1.0);
    }

    @Test
    void a_step_of_function_words_and_numbers_has_no_opinion() {
        assertThat(score(Q, "Answer: 168")).isNaN();
        assertThat(score(Q, "28*6=<<28*6=168>>168")).isNaN();
    }
}
