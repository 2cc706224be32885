package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dca.reasoning.Effort;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RouterTest {

    private final Router router = new Router();

    /** question | knowledge base? | best relevance (NaN: none) | expected route | expected auto effort */
    @ParameterizedTest(name = "{0} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            Hello there!                                                        | false | NaN  | direct        | low
            Thanks, that helps.                                                 | true  | 0.10 | direct        | low
            Write a short story about a dragon.                                 | false | NaN  | direct        | low
            What is 17 + 25?                                                    | false | NaN  | reasoning     | low
            Tom has 17 apples and buys 25 more. How many apples does he have now? | false | NaN  | reasoning     | low
            A shop sells pens at 3 dollars each. Ann buys 4 pens and 2 books at 5 dollars each and pays with 50 dollars. How much change does she get? | false | NaN | reasoning | high
            Compute 12 * 7 - 5 / 5 + 3                                          | false | NaN  | reasoning     | high
            Prove that the sum of two even numbers is even.                     | false | NaN  | reasoning     | medium
            How deep is Lake Verin?                                             | true  | 0.72 | rag           | low
            Who founded the Orlan guild?                                        | true  | 0.20 | rag           | low
            Tell me something nice.                                             | true  | 0.10 | direct        | low
            Lake Verin is 41 metres deep and Lake Osk is 17 metres deeper. How deep is Lake Osk? | true | 0.66 | rag+reasoning | low
            How deep is Lake Verin?                                             | false | NaN  | direct        | low
            """)
    void routes_a_table_of_questions(String question, boolean kb, double relevance, String route, String effort) {
        RouteDecision d = router.decide(question, null, Effort.AUTO, kb, relevance);
        assertThat(d.route().label()).as(d.reason()).isEqualTo(route);
        if (d.route().reasons()) assertThat(d.effort()).as(d.reason()).isEqualTo(Effort.parse(effort));
        assertThat(d.reason()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void should_take_the_users_route_and_effort_and_say_so() {
        RouteDecision d = router.decide("Hello", Route.REASONING, Effort.HIGH, false, Double.NaN);
        assertThat(d.route()).isEqualTo(Route.REASONING);
        assertThat(d.effort()).isEqualTo(Effort.HIGH);
        assertThat(d.reason()).contains("set by the user").contains("effort high (set by the user)");
    }

    @Test
    void should_refuse_a_retrieving_route_without_a_knowledge_base() {
        assertThatThrownBy(() -> router.decide("How deep is it?", Route.RAG, Effort.AUTO, false, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--kb");
    }

    @Test
    void should_name_the_relevance_and_threshold_in_the_reason() {
        RouteDecision d = router.decide("How deep is Lake Verin?", null, Effort.AUTO, true, 0.72);
        assertThat(d.reason()).contains("0.72").contains(">=").contains("0.35");
    }

    @Test
    void route_labels_parse_back() {
        for (Route r : Route.values()) assertThat(Route.parse(r.label())).isEqualTo(r);
        assertThat(Route.parse("auto")).isNull();
        assertThatThrownBy(() -> Route.parse("fast")).hasMessageContaining("expected auto, direct");
    }
}
