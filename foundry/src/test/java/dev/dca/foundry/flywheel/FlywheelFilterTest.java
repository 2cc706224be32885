package dev.dca.foundry.flywheel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which right-answer traces the flywheel keeps: only those that computed with the question's own numbers. */
class FlywheelFilterTest {

    private static final String Q = "Jade buys 2 crates of muffins with 4 in each and shares them equally among 4 friends. How many muffins does each friend get?";

    @Test
    void keeps_a_trace_whose_operands_come_from_the_question_and_earlier_steps() {
        assertThat(Flywheel.grounded(Q, "There are 2*4=<<2*4=8>>8 muffins.\nEach friend gets 8/4=<<8/4=2>>2 muffins.")).isTrue();
    }

    @Test
    void drops_a_right_answer_reached_with_numbers_the_question_does_not_have() {
        assertThat(Flywheel.grounded(Q, "There are 2*6=<<2*6=12>>12 muffins.\nEach friend gets 12/6=<<12/6=2>>2 toy cars.")).isFalse();
    }
}
