package dev.dca.reasoning.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class CalculatorTest {

    private final Calculator calc = new Calculator();

    @Test
    void should_accept_correct_gsm8k_annotations() {
        Calculator.Check c = calc.check("Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.");
        assertThat(c.checked()).isGreaterThanOrEqualTo(1);
        assertThat(c.wrong()).isZero();
        assertThat(c.text()).isEqualTo("Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.");
        assertThat(c.score()).isEqualTo(1.0);
    }

    @Test
    void should_correct_a_wrong_annotation_and_its_prose_copy() {
        Calculator.Check c = calc.check("It takes 48/2=<<48/2=25>>25 bolts");
        assertThat(c.wrong()).isEqualTo(1);
        assertThat(c.text()).isEqualTo("It takes 48/2=<<48/2=24>>24 bolts");
        assertThat(c.corrections()).containsExactly("48/2 = 24 (not 25)");
        assertThat(c.score()).isLessThanOrEqualTo(0.5);
    }

    @Test
    void should_check_and_correct_plain_expressions() {
        assertThat(calc.check("She makes 9 * 2 = 18 dollars.").wrong()).isZero();
        assertThat(calc.check("Total: (2 + 3) * 4 = 20").wrong()).isZero();
        assertThat(calc.check("Then 3 x 4 = 12 apples").wrong()).isZero();
        assertThat(calc.check("1,200 / 3 = 400").wrong()).isZero();
        assertThat(calc.check("5 - 8 = -3").wrong()).isZero();
        Calculator.Check c = calc.check("So 12 * 12 = 140, and 7 + 5 = 12.");
        assertThat(c.checked()).isEqualTo(2);
        assertThat(c.wrong()).isEqualTo(1);
        assertThat(c.text()).isEqualTo("So 12 * 12 = 144, and 7 + 5 = 12.");
    }

    @Test
    void should_accept_results_rounded_to_the_digits_written() {
        assertThat(calc.check("10 / 3 = 3.33").wrong()).isZero();
        assertThat(calc.check("2 / 3 = 0.67").wrong()).isZero();
        assertThat(calc.check("10 / 4 = 2.5").wrong()).isZero();
        assertThat(calc.check("10 / 4 = 2.6").wrong()).isEqualTo(1);
    }

    @Test
    void should_be_exact_where_doubles_are_not() {
        assertThat(Calculator.evaluate("0.1 + 0.2")).isEqualByComparingTo(new BigDecimal("0.3"));
        assertThat(calc.check("0.1 + 0.2 = 0.3").wrong()).isZero();
        assertThat(Calculator.evaluate("123456789012345678 * 10")).isEqualByComparingTo(new BigDecimal("1234567890123456780"));
    }

    @Test
    void should_never_crash_on_malformed_or_uncheckable_arithmetic() {
        String[] bad = {"<<5/0=3>>3", "<<(2+3=5>>", "<<=>>", "<<2++*3=4>>", "7 / 0 = 1", "((((1 + 2 = 3", "1 + 2) = 3",
            "<<" + "1+".repeat(500) + "1=2>>", "x = y + 2", "<<abc=5>>", "3 + = 4", "", "= = =", "<<1e999999999*2=3>>",
            "20% of 50 = 10", "9" + "9".repeat(400) + " * 2 = 1"};
        for (String s : bad) {
            Calculator.Check c = calc.check(s);
            assertThat(c.text()).as(s).isNotNull();
        }
        assertThat(calc.check("<<5/0=3>>3").checked()).isZero();
        assertThat(calc.check("7 / 0 = 1").checked()).isZero();
        assertThat(calc.check("((((1 + 2 = 3").wrong()).isZero();
    }

    @Test
    void should_have_no_opinion_on_steps_without_arithmetic() {
        assertThat(calc.check("First, find the number of eggs.").score()).isNaN();
        assertThat(calc.score(new StepContext("q", null, java.util.List.of(), "no numbers here", null, null))).isNaN();
    }
}
