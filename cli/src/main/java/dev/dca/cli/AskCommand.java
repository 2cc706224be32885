package dev.dca.cli;

import dev.dca.router.Answer;
import dev.dca.router.AskRequest;
import dev.dca.router.Citation;
import dev.dca.router.Dca;
import dev.dca.router.Route;
import dev.dca.runtime.LanguageModel;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dca ask QUESTION}: one question, routed, answered, with citations; {@code --json} for scripts. */
@Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Ask one question; the router picks direct, rag, reasoning or rag+reasoning.")
final class AskCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "QUESTION", description = "The question (several words are joined).")
    List<String> question;

    @Mixin
    AssistantOptions options;

    @Option(names = "--route", paramLabel = "R", defaultValue = "auto",
            description = "auto, direct, rag, reasoning or rag+reasoning. Default: ${DEFAULT-VALUE}.")
    String route;

    @Option(names = "--max-reasoning-tokens", paramLabel = "N", description = "Cap on hidden reasoning tokens (default: the effort's budget).")
    Integer maxReasoningTokens;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "256", description = "Cap on answer tokens. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed for reproducible sampling.")
    Long seed;

    @Option(names = "--show-reasoning", description = "Also print the hidden reasoning.")
    boolean showReasoning;

    @Option(names = "--explain", description = "Print why the router chose the route and effort.")
    boolean explain;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AskRequest request = AskRequest.builder(String.join(" ", question))
                .route(Route.parse(route))
                .effort(options.effort())
                .maxReasoningTokens(maxReasoningTokens)
                .maxTokens(maxTokens)
                .seed(seed)
                .showReasoning(showReasoning)
                .build();
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel model = options.loadModel(); Dca dca = options.builder(model).build()) {
            Answer a = dca.ask(request);
            if (json) {
                out.println(AnswerJson.JSON.writeValueAsString(AnswerJson.of(a, showReasoning, explain)));
            } else {
                if (explain) out.println("route: " + a.route().label() + " (" + a.decision().reason() + ")");
                for (String n : a.notices()) out.println("note: " + n);
                if (showReasoning && a.reasoning() != null) {
                    out.println("--- reasoning (hidden) ---");
                    out.println(a.reasoning().strip());
                    out.println("--- answer ---");
                }
                out.println(a.text());
                for (Citation c : a.citations()) out.println("[" + c.number() + "] " + c.source() + (c.location().isEmpty() ? "" : " (" + c.location() + ")"));
            }
            out.flush();
            return 0;
        }
    }
}
