package dev.dca.cli;

import dev.dca.reasoning.Effort;
import dev.dca.router.Answer;
import dev.dca.router.AnswerListener;
import dev.dca.router.AskRequest;
import dev.dca.router.Citation;
import dev.dca.router.ConversationMemory;
import dev.dca.router.Dca;
import dev.dca.router.Route;
import dev.dca.router.RouteDecision;
import dev.dca.runtime.LanguageModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dca chat}: a terminal conversation. Answers stream as they are generated; while the reasoning core works a
 * live line shows the reasoning tokens spent against the budget. Memory follows o1's rule (hidden reasoning is
 * dropped after each turn). On a terminal, JLine gives line editing, history and Ctrl-C (stops the current answer,
 * not the session); with piped input it reads plain lines, so scripts and tests can drive it.
 *
 * <p>Multi-line input: end a line with {@code \} to continue it, or put the text between two lines of {@code """}.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Chat in the terminal (streaming, memory, /help for commands).")
final class ChatCommand implements Callable<Integer> {

    static final String HELP = """
            /effort low|medium|high|auto   reasoning effort for the next answers
            /kb DIR|off                    use a knowledge base folder, or none
            /route auto|direct|rag|reasoning|rag+reasoning
            /show-reasoning [on|off]       print the hidden reasoning after each answer
            /reset                         forget the conversation
            /help                          this list
            /exit                          leave (or Ctrl-D)
            End a line with \\ to continue it; or put text between two lines of \"\"\".""";

    @Mixin
    AssistantOptions options;

    @Spec
    CommandSpec spec;

    private LanguageModel model;
    private Dca dca;
    private Path kb;
    private Effort effort;
    private Route route;
    private boolean showReasoning;
    private ConversationMemory memory;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        effort = options.effort();
        kb = options.knowledgeBase();
        model = options.loadModel();
        try {
            dca = options.builder(model).knowledgeBase(kb).build();
            memory = dca.newConversation();
            boolean interactive = interactive();
            return interactive ? terminalLoop() : pipedLoop(out);
        } finally {
            if (dca != null) dca.close();
            model.close();
        }
    }

    /** Whether stdin and stdout are a terminal (JDK 22+ has a console even when redirected; ask it). */
    static boolean interactive() {
        java.io.Console c = System.console();
        if (c == null) return false;
        try {
            return (boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true; // JDK 21: a console exists only for a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------ loops

    private int pipedLoop(PrintWriter out) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println(banner());
        out.flush();
        while (true) {
            String input = readInput(in::readLine);
            if (input == null) return 0;
            if (!turn(input, out, false, new AtomicBoolean())) return 0;
        }
    }

    private int terminalLoop() throws Exception {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("dca")
                    .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".dca", "chat_history"))
                    .build();
            PrintWriter out = terminal.writer();
            out.println(banner());
            AtomicBoolean stop = new AtomicBoolean();
            terminal.handle(Terminal.Signal.INT, s -> stop.set(true));
            while (true) {
                String input;
                try {
                    input = readInput(() -> reader.readLine("you> "));
                } catch (UserInterruptException e) {
                    out.println("(Ctrl-D or /exit to leave)");
                    continue;
                } catch (EndOfFileException e) {
                    return 0;
                }
                if (input == null) return 0;
                stop.set(false);
                if (!turn(input, out, true, stop)) return 0;
            }
        }
    }

    interface LineSource {
        String next() throws Exception;
    }

    /** One logical input: a line, lines joined by trailing backslashes, or a """ block. Null at end of input. */
    static String readInput(LineSource lines) throws Exception {
        String line = lines.next();
        if (line == null) return null;
        if (line.strip().equals("\"\"\"")) {
            StringBuilder sb = new StringBuilder();
            String l;
            while ((l = lines.next()) != null && !l.strip().equals("\"\"\"")) {
                if (!sb.isEmpty()) sb.append('\n');
                sb.append(l);
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder();
        while (line != null && line.endsWith("\\")) {
            sb.append(line, 0, line.length() - 1).append('\n');
            line = lines.next();
        }
        if (line != null) sb.append(line);
        return sb.toString();
    }

    /** Handles one input; false ends the session. */
    private boolean turn(String input, PrintWriter out, boolean interactive, AtomicBoolean stop) {
        String text = input.strip();
        if (text.isEmpty()) return true;
        if (text.startsWith("/")) return command(text, out);
        AskRequest request = AskRequest.builder(text).route(route).effort(effort).showReasoning(showReasoning).build();
        boolean[] thinkingShown = {false};
        boolean[] started = {false};
        Answer a;
        try {
            a = dca.ask(memory, request, new AnswerListener() {
                @Override
                public void onRoute(RouteDecision d) {
                    if (d.route() != Route.DIRECT) out.println("[" + d.route().label() + (d.route().reasons() ? ", effort "
                            + d.effort().name().toLowerCase(Locale.ROOT) : "") + "]");
                    out.flush();
                }

                @Override
                public void onThinking(int tokens, int budget) {
                    if (!interactive) return;
                    out.print("\rthinking... " + tokens + " / " + budget + " reasoning tokens");
                    out.flush();
                    thinkingShown[0] = true;
                }

                @Override
                public void onText(String delta) {
                    if (!started[0]) {
                        if (thinkingShown[0]) out.print("\r\033[2K");
                        out.print("dca> ");
                        started[0] = true;
                    }
                    out.print(delta);
                    out.flush();
                }

                @Override
                public boolean cancelled() {
                    return stop.get();
                }
            });
        } catch (CancellationException e) {
            out.println("\n(stopped)");
            return true;
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (thinkingShown[0]) out.print("\r\033[2K");
            out.println("dca: " + e.getMessage());
            out.flush();
            return true;
        }
        if (!started[0]) out.print("dca> ");
        out.println();
        if (a.cancelled()) out.println("(stopped)");
        for (Citation c : a.citations()) out.println("  [" + c.number() + "] " + c.source() + (c.location().isEmpty() ? "" : " (" + c.location() + ")"));
        for (String n : a.notices()) out.println("  note: " + n);
        if (a.usage().reasoningTokens() > 0) out.println("  (" + a.usage().reasoningTokens() + " reasoning tokens, " + a.strategy() + ")");
        if (showReasoning && a.reasoning() != null) {
            out.println("--- reasoning (hidden, not remembered) ---");
            out.println(a.reasoning().strip());
            out.println("---");
        }
        out.flush();
        return true;
    }

    private boolean command(String line, PrintWriter out) {
        String[] parts = line.split("\\s+", 2);
        String arg = parts.length > 1 ? parts[1].strip() : "";
        try {
            switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "/exit", "/quit", "/bye" -> {
                    return false;
                }
                case "/help", "/?" -> out.println(HELP);
                case "/reset" -> {
                    memory.reset();
                    out.println("(conversation forgotten)");
                }
                case "/effort" -> {
                    if (!arg.isEmpty()) effort = Effort.parse(arg);
                    out.println("effort: " + effort.name().toLowerCase(Locale.ROOT));
                }
                case "/route" -> {
                    if (!arg.isEmpty()) route = Route.parse(arg);
                    out.println("route: " + (route == null ? "auto" : route.label()));
                }
                case "/show-reasoning" -> {
                    showReasoning = arg.isEmpty() ? !showReasoning : arg.equalsIgnoreCase("on") || arg.equalsIgnoreCase("true");
                    out.println("show reasoning: " + (showReasoning ? "on" : "off"));
                }
                case "/kb" -> {
                    if (!arg.isEmpty()) {
                        Path next = AssistantOptions.resolveKb(arg);
                        Dca replacement = options.builder(model).knowledgeBase(next).build();
                        dca.close();
                        dca = replacement;
                        kb = next;
                    }
                    out.println("knowledge base: " + (kb == null ? "none" : kb));
                }
                default -> out.println("unknown command " + parts[0] + "; /help lists them");
            }
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            out.println("dca: " + e.getMessage());
        }
        out.flush();
        return true;
    }

    private String banner() {
        return "dca chat - model " + model.info().path() + (kb == null ? "" : ", knowledge base " + kb) + ", effort "
                + effort.name().toLowerCase(Locale.ROOT) + ". /help for commands, /exit to leave.";
    }
}
