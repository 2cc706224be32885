package dev.dca.runtime;

import dev.dca.runtime.engine.DjlLanguageModel;
import dev.dca.runtime.gguf.GgufModelFiles;
import dev.dca.runtime.hf.HfModelFiles;
import dev.dca.runtime.llama2c.Llama2cModelFiles;
import dev.dca.runtime.model.ModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a model from disk, whatever its format: a Hugging Face folder ({@code config.json} + safetensors), a GGUF
 * file, or a llama2.c checkpoint ({@code .bin}, or a folder holding one).
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** Loads weights onto the device and returns a ready model (which owns the files). */
    public static LanguageModel load(Path path, LoadOptions options) {
        ModelFiles files = open(path);
        try {
            return DjlLanguageModel.load(files, options);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    public static LanguageModel load(Path path) {
        return load(path, LoadOptions.DEFAULT);
    }

    /** Reads a model's files (config, tensors, tokenizer) without loading weights onto the device. */
    public static ModelFiles open(Path path) {
        if (!Files.exists(path)) throw new ModelFormatException(path, "no such file or folder");
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("config.json"))) return HfModelFiles.open(path);
            if (Llama2cModelFiles.findCheckpoint(path).isPresent()) return Llama2cModelFiles.open(path);
            throw new ModelFormatException(path, "not a model folder: no config.json (Hugging Face) and no llama2.c .bin checkpoint");
        }
        if (name.endsWith(".gguf")) return GgufModelFiles.open(path);
        if (name.endsWith(".bin")) return Llama2cModelFiles.open(path);
        if (name.endsWith(".safetensors") || name.equals("config.json")) return HfModelFiles.open(path.toAbsolutePath().getParent());
        throw new ModelFormatException(path, "unknown model format (expected a Hugging Face folder, a .gguf file or a llama2.c .bin)");
    }
}
