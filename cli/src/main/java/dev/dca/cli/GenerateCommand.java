package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dca.runtime.Generation;
import dev.dca.runtime.GenerationListener;
import dev.dca.runtime.GenerationRequest;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;
import dev.dca.runtime.SamplingParams;
import dev.dca.runtime.chat.Message;
import dev.dca.runtime.chat.PromptRenderer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dca generate}: one continuation from a local model, streamed to stdout (or as JSON). */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt with a local model (Hugging Face folder, GGUF file or llama2.c .bin).")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Model folder or file.")
    Path model;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (BOS added as the model's tokenizer says).")
        String prompt;

        @Option(names = "--token-ids", paramLabel = "IDS", split = ",", description = "Prompt as token ids, e.g. 1,403,407.")
        int[] tokenIds;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128", description = "Most tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 is greedy. Default: the model's generation_config (greedy without one).")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass. Default: the model's.")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed: the same seed gives the same output.")
    Long seed;

    @Option(names = "--chat", description = "Treat the prompt as a user message and apply the model's chat template.")
    boolean chat;

    @Option(names = "--json", description = "Print {\"prompt_tokens\":[...],\"tokens\":[...],\"text\":\"...\"} instead of streaming text.")
    boolean json;

    @Option(names = "--device", paramLabel = "D", defaultValue = "auto", description = "auto, cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Mixin
    HoldOptions hold;

    @Override
    public Integer call() {
        try (LanguageModel lm = ModelLoader.load(model, hold.apply(LoadOptions.DEFAULT.withDevice(device).withMaxBatch(1)))) {
            PromptRenderer renderer = chat || input.prompt != null ? new PromptRenderer(lm) : null;
            int[] prompt;
            List<String> stops = List.of();
            if (input.tokenIds != null) {
                if (chat) throw new IllegalArgumentException("--chat needs --prompt text, not --token-ids");
                prompt = input.tokenIds;
            } else if (chat) {
                prompt = renderer.tokens(List.of(Message.user(input.prompt)), "");
                stops = renderer.turnStops();
            } else {
                prompt = renderer.encode(input.prompt);
            }
            SamplingParams sampling = lm.defaultSampling();
            if (temperature != null) sampling = sampling.withTemperature(temperature);
            if (topP != null) sampling = sampling.withTopP(topP);
            if (seed != null) sampling = sampling.withSeed(seed);
            GenerationRequest request = GenerationRequest.builder(prompt).maxTokens(maxTokens).sampling(sampling).stopStrings(stops).build();
            PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
            GenerationListener stream = json ? GenerationListener.NONE : (r, s, token, delta) -> {
                out.print(delta);
                out.flush();
            };
            Generation g = lm.generate(List.of(request), stream).get(0);
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode node = mapper.createObjectNode();
                Arrays.stream(prompt).forEach(node.putArray("prompt_tokens")::add);
                Arrays.stream(g.tokens()).forEach(node.putArray("tokens")::add);
                node.put("text", g.text());
                out.println(node);
            } else {
                out.println();
            }
            return 0;
        }
    }
}
