package dev.dca.runtime.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import dev.dca.runtime.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json} {@code chat_template}, {@code chat_template.jinja},
 * or GGUF {@code tokenizer.chat_template}) rendered by Jinjava the way {@code transformers} renders it: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks}, one trailing newline of the template dropped, the variables
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} (and the other special tokens
 * of the config), and the globals {@code raise_exception(msg)} and {@code strftime_now(fmt)}.
 *
 * <p>Templates are Python programs in disguise: they call {@code str} methods ({@code .startswith},
 * {@code .split}, {@code .strip} ...) that Java strings do not have under those names. {@link PythonMethodsELResolver}
 * adds them to the engine for every template, and {@code tojson} is replaced by Python's {@code json.dumps} layout.
 */
public final class JinjaChatTemplate implements ChatTemplate {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String template;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinjava;
    private final Clock clock;

    private JinjaChatTemplate(String template, Map<String, Object> specialTokens, Clock clock) {
        // Jinja's default keep_trailing_newline=False: a single trailing newline of the source is not output
        String source = template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
        this.template = JinjaSyntaxAdapter.rewrite(source);
        this.specialTokens = Map.copyOf(specialTokens);
        this.clock = clock;
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodsELResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                // behave like Python Jinja2: `{{-` trims, natural operator precedence (`x|length - 1`),
                // iterating a dict yields keys, backslashes only escape inside quotes, none stays none in loops
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withAllowAdjacentTextNodes(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .build())
                .withMaxOutputSize(64L << 20)
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaChatTemplate.class,
                "raiseException", Object.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaChatTemplate.class,
                "strftimeNow", String.class));
        jinjava.registerFilter(new PythonToJsonFilter());
        jinjava.registerFilter(new ItemsFilter());
    }

    /** A template from its source and the BOS/EOS strings it may print (null when the model has none). */
    public static ChatTemplate of(String template, String bosToken, String eosToken) {
        Objects.requireNonNull(template, "template");
        Map<String, Object> tokens = new HashMap<>();
        if (bosToken != null) tokens.put("bos_token", bosToken);
        if (eosToken != null) tokens.put("eos_token", eosToken);
        return new JinjaChatTemplate(template, tokens, Clock.systemDefaultZone());
    }

    /** Same, with all special-token variables (e.g. {@code unk_token}, {@code pad_token}) and a clock for dates. */
    public static JinjaChatTemplate of(String template, Map<String, String> specialTokens, Clock clock) {
        return new JinjaChatTemplate(template, new HashMap<>(specialTokens), clock);
    }

    /**
     * The chat template of a Hugging Face folder: {@code chat_template.jinja} if present, else
     * {@code tokenizer_config.json}'s {@code chat_template} (a string, or a list of named templates of which
     * "default" is taken); empty when the folder declares none.
     */
    public static Optional<ChatTemplate> fromFolder(Path folder) {
        Path configFile = folder.resolve("tokenizer_config.json");
        JsonNode config = null;
        if (Files.isRegularFile(configFile)) {
            try {
                config = JSON.readTree(configFile.toFile());
            } catch (IOException e) {
                throw new ModelFormatException(configFile, "invalid JSON: " + firstLine(e.getMessage()), e);
            }
        }
        String source = null;
        Path jinjaFile = folder.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinjaFile)) {
            try {
                source = Files.readString(jinjaFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ModelFormatException(jinjaFile, "cannot read chat template: " + e.getMessage(), e);
            }
        } else if (config != null) {
            source = selectTemplate(config.get("chat_template"));
        }
        if (source == null) return Optional.empty();
        Map<String, String> tokens = new HashMap<>();
        if (config != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().endsWith("_token")) continue;
                JsonNode v = e.getValue();
                String text = v.isTextual() ? v.asText() : v.isObject() ? v.path("content").asText(null) : null;
                if (text != null) tokens.put(e.getKey(), text);
            }
        }
        return Optional.of(of(source, tokens, Clock.systemDefaultZone()));
    }

    /** A template node: a string, or {@code [{"name": "default", "template": "..."}, ...]}. */
    static String selectTemplate(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        if (node.isArray()) {
            String first = null;
            for (JsonNode t : node) {
                String text = t.path("template").asText(null);
                if ("default".equals(t.path("name").asText())) return text;
                if (first == null) first = text;
            }
            return first;
        }
        return null;
    }

    @Override
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders with extra template variables, e.g. {@code enable_thinking}, {@code date_string} or {@code tools}
     * (maps and lists as Jinja sees JSON).
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("messages", msgs);
        context.put("add_generation_prompt", addGenerationPrompt);
        // so that `strftime_now is defined` / `raise_exception is defined` hold, as they do in transformers
        context.put("strftime_now", "strftime_now");
        context.put("raise_exception", "raise_exception");
        context.putAll(variables);
        RenderResult result;
        CLOCK.set(clock);
        try {
            result = jinjava.renderForResult(template, context);
        } finally {
            CLOCK.remove();
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                Throwable cause = error.getException();
                while (cause != null && !(cause instanceof TemplateRaisedException) && cause.getCause() != cause) {
                    cause = cause.getCause();
                }
                String message = cause instanceof TemplateRaisedException raised
                        ? raised.getMessage()
                        : "chat template failed at line " + error.getLineno() + ": " + firstLine(error.getMessage());
                throw new IllegalArgumentException(message);
            }
        }
        return result.getOutput();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();

    /** Jinja global {@code raise_exception(message)}: the template rejects the conversation. */
    public static Object raiseException(Object message) {
        throw new TemplateRaisedException(String.valueOf(message));
    }

    /** Jinja global {@code strftime_now(format)}: the current local time in Python strftime format. */
    public static String strftimeNow(String format) {
        Clock c = CLOCK.get();
        ZonedDateTime now = ZonedDateTime.now(c == null ? Clock.systemDefaultZone() : c);
        return StrftimeFormatter.format(now, format);
    }

    private static final class TemplateRaisedException extends RuntimeException {
        TemplateRaisedException(String message) {
            super(message);
        }
    }

    /** Jinja 3.1's {@code items} filter ({@code for k, v in d | items}), which Jinjava lacks: [key, value] pairs. */
    static final class ItemsFilter implements Filter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            List<List<Object>> pairs = new ArrayList<>();
            if (var instanceof Map<?, ?> map) {
                map.forEach((k, v) -> pairs.add(java.util.Arrays.asList(k, v)));
            }
            return pairs;
        }
    }

    /**
     * {@code tojson} as transformers defines it: {@code json.dumps(x, ensure_ascii=False, indent=indent)}, i.e.
     * {@code ", "} and {@code ": "} separators, keys in insertion order. Jinjava's own uses Jackson's compact form.
     */
    static final class PythonToJsonFilter implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, (Object[]) args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            Integer indent = indentArg == null || indentArg.toString().isBlank() ? null
                    : Integer.valueOf(indentArg.toString().trim());
            StringBuilder sb = new StringBuilder();
            PythonJson.write(sb, var, indent, 0);
            return sb.toString();
        }
    }
}
