package dev.dca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatCommandTest {

    @Test
    void chat_runs_a_conversation_and_its_commands_from_piped_input() {
        String model = CliRunner.stories260K().toString();
        String input = String.join("\n",
                "/help",
                "/route direct",
                "Tell me a story about a cat.",
                "/effort high",
                "/show-reasoning on",
                "/route bogus",
                "/reset",
                "/kb off",
                "/exit",
                "never read") + "\n";
        CliRunner.Result r = CliRunner.run(input, "chat", "--model", model);
        assertThat(r.exitCode()).as(r.err()).isZero();
        String out = r.out();
        assertThat(out).contains("dca chat - model").contains("/show-reasoning [on|off]");
        assertThat(out).contains("route: direct");
        assertThat(out).containsPattern("dca> \\S+");
        assertThat(out).contains("effort: high").contains("show reasoning: on").contains("unknown route 'bogus'");
        assertThat(out).contains("(conversation forgotten)").contains("knowledge base: none");
    }

    @Test
    void multi_line_input_joins_backslash_lines_and_triple_quote_blocks() throws Exception {
        ArrayDeque<String> lines = new ArrayDeque<>(List.of("first \\", "second", "\"\"\"", "a", "b", "\"\"\"", "plain"));
        assertThat(ChatCommand.readInput(lines::poll)).isEqualTo("first \nsecond");
        assertThat(ChatCommand.readInput(lines::poll)).isEqualTo("a\nb");
        assertThat(ChatCommand.readInput(lines::poll)).isEqualTo("plain");
        assertThat(ChatCommand.readInput(lines::poll)).isNull();
    }
}
