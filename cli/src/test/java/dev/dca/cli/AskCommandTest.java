package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class AskCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void ask_json_has_the_documented_shape() throws Exception {
        String model = CliRunner.stories260K().toString();
        CliRunner.Result r = CliRunner.run("", "ask", "--model", model, "--json", "--explain", "--max-tokens", "8",
                "Tell", "me", "a", "story", "about", "a", "cat.");
        JsonNode j = r.json();
        assertThat(j.get("answer").asText()).isNotBlank();
        assertThat(j.get("route").asText()).isEqualTo("direct");
        assertThat(j.get("strategy").asText()).isEqualTo("direct");
        assertThat(j.at("/usage/prompt_tokens").asInt()).isPositive();
        assertThat(j.at("/usage/completion_tokens").asInt()).isBetween(1, 8);
        assertThat(j.at("/usage/reasoning_tokens").asInt()).isZero();
        assertThat(j.get("stats").isObject()).isTrue();
        assertThat(j.get("citations").isArray()).isTrue();
        assertThat(j.get("explain").asText()).startsWith("direct:");
        assertThat(j.has("reasoning")).isFalse();
    }

    @Test
    void ask_reasoning_route_respects_the_budget_and_shows_reasoning_only_when_asked() throws Exception {
        String model = CliRunner.stories260K().toString();
        CliRunner.Result hidden = CliRunner.run("", "ask", "--model", model, "--json", "--route", "reasoning",
                "--effort", "low", "--max-reasoning-tokens", "24", "What is 17 + 25?");
        assertThat(hidden.exitCode()).as(hidden.err()).isZero();
        JsonNode h = JSON.readTree(hidden.out());
        assertThat(h.get("route").asText()).isEqualTo("reasoning");
        assertThat(h.get("effort").asText()).isEqualTo("low");
        assertThat(h.at("/usage/reasoning_tokens").asInt()).isBetween(1, 24);
        assertThat(h.has("reasoning")).isFalse();
        assertThat(h.get("stats").has("nodes")).isTrue();

        CliRunner.Result shown = CliRunner.run("", "ask", "--model", model, "--json", "--route", "reasoning",
                "--effort", "low", "--max-reasoning-tokens", "24", "--show-reasoning", "What is 17 + 25?");
        JsonNode s = JSON.readTree(shown.out());
        assertThat(s.has("reasoning")).isTrue();
        assertThat(s.get("answer")).isEqualTo(h.get("answer"));
    }

    /** ask, chat and serve share --compute with generate: BF16 weights load and answer; a bad value is a user error. */
    @Test
    void ask_holds_the_weights_as_compute_says() throws Exception {
        String model = CliRunner.stories260K().toString();
        CliRunner.Result bf16 = CliRunner.run("", "ask", "--model", model, "--compute", "bf16", "--json", "--max-tokens", "8", "Once upon a time");
        assertThat(bf16.exitCode()).as(bf16.err()).isZero();
        assertThat(JSON.readTree(bf16.out()).at("/usage/completion_tokens").asInt()).isBetween(1, 8);

        CliRunner.Result bad = CliRunner.run("", "ask", "--model", model, "--compute", "f64", "hello");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err().strip()).startsWith("dca: ").doesNotContain("\n").contains("--compute").contains("must be auto, f32 or bf16, got f64");
    }

    @Test
    void ask_reports_user_errors_in_one_line() {
        CliRunner.Result r = CliRunner.run("", "ask", "--model", "/no/such/model.bin", "hello");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("dca: ").doesNotContain("\n").contains("/no/such/model.bin");

        CliRunner.Result rag = CliRunner.run("", "ask", "--model", CliRunner.stories260K().toString(), "--route", "rag", "hello");
        assertThat(rag.exitCode()).isEqualTo(2);
        assertThat(rag.err()).contains("needs a knowledge base");
    }

    /** Issue 7's acceptance with the bundled model (tests run in cli/, so it is named; ./dca finds it by itself). */
    @Test
    void the_bundled_model_answers_the_apples_question_through_the_reasoning_route() throws Exception {
        java.nio.file.Path bundled = java.nio.file.Path.of("..").resolve(dev.dca.router.ModelResolver.BUNDLED);
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(bundled), "no bundled model at " + bundled);
        CliRunner.Result r = CliRunner.run("", "ask", "--json", "--model", bundled.toString(),
                "Tom has 17 apples and buys 25 more. How many apples does he have now?");
        JsonNode j = r.json();
        assertThat(j.get("route").asText()).isEqualTo("reasoning");
        assertThat(j.get("answer").asText()).isEqualTo("42");
        assertThat(j.at("/usage/reasoning_tokens").asInt()).isPositive();
    }

    /**
     * Issue 7's knowledge-base acceptance with the bundled model: a question about the demo knowledge base, and one
     * about a Markdown file of invented facts written here and ingested, are answered with the fact and a citation
     * of the file that states it. The demo knowledge base is built under a temporary user.home.
     */
    @Test
    void the_bundled_model_answers_from_the_demo_and_from_a_freshly_ingested_file(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path bundled = java.nio.file.Path.of("..").resolve(dev.dca.router.ModelResolver.BUNDLED);
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(bundled), "no bundled model at " + bundled);
        String home = System.getProperty("user.home");
        System.setProperty("user.home", tmp.resolve("home").toString());
        try {
            JsonNode demo = askJson("--model", bundled.toString(), "--kb", "demo", "What instrument does Aiko Brika play?");
            assertCitedFact(demo, "trumpet", "aiko-brika.md");
        } finally {
            System.setProperty("user.home", home);
        }
        java.nio.file.Path docs = java.nio.file.Files.createDirectories(tmp.resolve("notes"));
        // invented facts (a new person and town; the values are ones the model has met, the combinations are not)
        java.nio.file.Files.writeString(docs.resolve("nora-velthamir.md"), """
                # Nora Velthamir

                Nora Velthamir works as a sailor. Nora Velthamir lives in Pexholvo. Nora Velthamir has a pet goat. Nora Velthamir plays the harp.
                """);
        java.nio.file.Files.writeString(docs.resolve("ostrenka.md"), """
                # Ostrenka

                Ostrenka was founded in 1743. Ostrenka lies on the river Sarn. The mayor of Ostrenka is Finn Darlo. Ostrenka is known for its honey cakes.
                """);
        String kb = tmp.resolve("kb").toString();
        CliRunner.Result ingest = CliRunner.run("", "kb", "ingest", docs.toString(), "--kb", kb, "--no-progress");
        assertThat(ingest.exitCode()).as(ingest.err()).isZero();
        assertCitedFact(askJson("--model", bundled.toString(), "--kb", kb, "What does Nora Velthamir work as?"), "sailor", "nora-velthamir.md");
        assertCitedFact(askJson("--model", bundled.toString(), "--kb", kb, "What pet does Nora Velthamir have?"), "goat", "nora-velthamir.md");
    }

    private static JsonNode askJson(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "ask";
        all[1] = "--json";
        System.arraycopy(args, 0, all, 2, args.length);
        CliRunner.Result r = CliRunner.run("", all);
        return r.json();
    }

    /** The answer states {@code fact} and cites, by number, the citation of {@code file}. */
    private static void assertCitedFact(JsonNode j, String fact, String file) {
        assertThat(j.get("route").asText()).isEqualTo("rag");
        String answer = j.get("answer").asText();
        assertThat(answer).as(j.toString()).contains(fact);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(\\d+)]").matcher(answer);
        assertThat(m.find()).as("a citation in: %s", answer).isTrue();
        int n = Integer.parseInt(m.group(1));
        assertThat(n).isBetween(1, j.get("citations").size());
        assertThat(j.get("citations").get(n - 1).get("source").asText()).endsWith(file);
    }
}
