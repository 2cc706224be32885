package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelInfo;
import dev.dca.runtime.ModelLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dca model info PATH}: what a model is, from its own files. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a model's architecture, size, dtype, vocabulary and chat template.")
final class ModelInfoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH", description = "Model folder or file.")
    Path path;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (LanguageModel lm = ModelLoader.load(path, LoadOptions.DEFAULT.withDevice("cpu").withMaxBatch(1))) {
            Map<String, Object> m = asMap(lm.info());
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(m));
            } else {
                m.forEach((k, v) -> System.out.printf("%-16s %s%n", k, v));
            }
            return 0;
        }
    }

    static Map<String, Object> asMap(ModelInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", i.path().toString());
        m.put("format", i.format());
        m.put("architecture", i.architecture());
        m.put("parameters", i.parameters());
        m.put("stored_dtype", i.storedDtype());
        m.put("compute_dtype", i.computeDtype());
        m.put("device", i.device());
        m.put("layers", i.layers());
        m.put("heads", i.heads());
        m.put("kv_heads", i.kvHeads());
        m.put("hidden_size", i.hiddenSize());
        m.put("context_length", i.contextLength());
        m.put("vocab_size", i.vocabSize());
        m.put("special_tokens", i.specialTokens());
        m.put("chat_template", i.hasChatTemplate());
        m.put("tensor_types", i.tensorTypes());
        return m;
    }
}
