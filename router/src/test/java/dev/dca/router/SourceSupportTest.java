package dev.dca.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourceSupportTest {

    private static final List<Passage> SOURCES = List.of(
            new Passage("hana-lumfa.md", "", "Hana Lumfa plays the drums. Hana Lumfa works as a pilot.", 1, 1),
            new Passage("omar-velpex.md", "", "Omar Velpex plays the banjo. Omar Velpex lives in Astmor.", 1, 1));

    private static SourceSupport check(String reply) {
        return SourceSupport.of(reply, "Which instrument does Hana Lumfa play?", SOURCES);
    }

    @Test
    void a_value_copied_from_the_cited_passage_about_the_question_is_supported() {
        SourceSupport s = check("Hana Lumfa plays the drums [1].");
        assertThat(s.supported(1.0)).isTrue();
        assertThat(s.newWords()).isEqualTo(1); // "drums": the rest restates the question
        // stemming: "works" in the source backs "work" in a reply
        assertThat(SourceSupport.of("Hana Lumfa works as a pilot [1].", "What does Hana Lumfa work as?", SOURCES).supported(1.0)).isTrue();
        // a reply without [n] is checked against every passage
        assertThat(check("Hana Lumfa plays the drums.").supported(1.0)).isTrue();
    }

    @Test
    void made_up_values_wrong_entities_and_wrong_citations_are_not() {
        assertThat(check("Hana Lumfa plays the cello [1].").supported(1.0)).as("value in no source").isFalse();
        assertThat(check("Hana Lumfa plays the banjo [2].").supported(1.0)).as("another entity's passage").isFalse();
        assertThat(check("Hana Lumfa plays the drums [2].").supported(1.0)).as("cites the wrong passage").isFalse();
        assertThat(check("Hana Lumfa plays the drums [3].").supported(1.0)).as("cites no passage there is").isFalse();
        assertThat(check("Arjun Lumfa plays the drums [1].").supported(1.0)).as("a made-up name").isFalse();
        assertThat(check("Hana Lumfa plays [1].").supported(1.0)).as("says nothing new").isFalse();
        assertThat(check(GroundedPrompt.DONT_KNOW).supported(1.0)).as("a decline is not an answer").isFalse();
        assertThat(SourceSupport.of("The mayor of Astmor is Omar Velpex [2].", "Who is the mayor of Paris?", SOURCES).supported(1.0))
                .as("a name the question asks about that no source has").isFalse();
        assertThat(SourceSupport.of("Hana Lumfa plays the drums.", "Which instrument does Hana Lumfa play?", List.of())
                .supported(1.0)).as("no sources").isFalse();
    }

    @Test
    void coverage_is_the_share_of_new_words_found() {
        SourceSupport s = check("Hana Lumfa plays the drums and the cello [1].");
        assertThat(s.answerCoverage()).isEqualTo(0.5);
        assertThat(s.supported(0.5)).isTrue();
        assertThat(s.supported(1.0)).isFalse();
        // the question's words no source uses ("instrument") do not count against the passage
        assertThat(s.questionCoverage()).isEqualTo(1.0);
    }
}
