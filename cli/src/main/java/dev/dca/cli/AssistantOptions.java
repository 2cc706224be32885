package dev.dca.cli;

import dev.dca.reasoning.Effort;
import dev.dca.router.Dca;
import dev.dca.router.GroundedAnswerer;
import dev.dca.router.ModelResolver;
import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by {@code ask}, {@code chat} and {@code serve}: the model and how it is held, the knowledge base, the effort. */
final class AssistantOptions {

    @Option(names = "--model", paramLabel = "PATH",
            description = "Model: a Hugging Face folder, a .gguf file or a llama2.c .bin (default: $DCA_MODEL, else the bundled model).")
    Path model;

    @Option(names = "--kb", paramLabel = "DIR",
            description = "Knowledge base folder for grounded answers ('demo' for the bundled sample; default: $DCA_KB if set, else none).")
    String kb;

    @Option(names = "--effort", paramLabel = "E", defaultValue = "auto",
            description = "Reasoning effort: low, medium, high or auto (the router decides). Default: ${DEFAULT-VALUE}.")
    String effort;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system prompt.")
    String system;

    @Option(names = "--device", paramLabel = "D", defaultValue = "auto", description = "auto, cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Mixin
    HoldOptions hold;

    @Option(names = "--grounding", defaultValue = "auto", paramLabel = "G",
            description = "Answers from a knowledge base: check (copy from the sources, show only a reply they back, else "
                    + "'The sources do not say.'), off (the model's reply as it comes), or auto (check for the bundled "
                    + "model, off for others). Default: ${DEFAULT-VALUE}.")
    String grounding;

    /** The builder's setting; null leaves the choice to {@link Dca.Builder#grounding} (auto). */
    GroundedAnswerer.Settings grounding() {
        return switch (grounding) {
            case "auto" -> null;
            case "check" -> GroundedAnswerer.Settings.DEFAULT;
            case "off" -> GroundedAnswerer.Settings.OFF;
            default -> throw new IllegalArgumentException("--grounding must be auto, check or off, got '" + grounding + "'");
        };
    }

    Effort effort() {
        return Effort.parse(effort);
    }

    /** The knowledge base folder to use, or null for none. */
    Path knowledgeBase() {
        return resolveKb(kb != null ? kb : System.getenv("DCA_KB"));
    }

    static Path resolveKb(String kb) {
        if (kb == null || kb.isBlank() || kb.equals("none") || kb.equals("off")) return null;
        return KbDirOption.named(kb);
    }

    LanguageModel loadModel() {
        return ModelResolver.load(model, hold.apply(LoadOptions.DEFAULT.withDevice(device)));
    }

    Dca.Builder builder(LanguageModel m) {
        return Dca.builder().model(m).knowledgeBase(knowledgeBase()).effort(effort()).systemPrompt(system)
                .grounding(grounding());
    }
}
