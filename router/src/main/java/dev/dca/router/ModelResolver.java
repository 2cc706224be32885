package dev.dca.router;

import dev.dca.runtime.LanguageModel;
import dev.dca.runtime.LoadOptions;
import dev.dca.runtime.ModelLoader;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the model to load when the user names none: {@code --model PATH}, else {@code $DCA_MODEL}, else the
 * bundled default ({@code models/default/} in the project folder, found from the working directory, a folder above
 * it, or beside the jar), else a one-line error asking for {@code --model}.
 */
public final class ModelResolver {

    /** Where the foundry's bundled model lives, relative to the project root. */
    public static final Path BUNDLED = Path.of("models", "default");

    private ModelResolver() {}

    public static Path resolve(Path explicit) {
        if (explicit != null) return explicit;
        String env = System.getenv("DCA_MODEL");
        if (env != null && !env.isBlank()) return Path.of(env);
        for (Path root : candidateRoots()) {
            Path p = root.resolve(BUNDLED);
            if (Files.isDirectory(p)) return p;
        }
        throw new IllegalArgumentException("no model: pass --model PATH (a Hugging Face folder, a .gguf file or a llama2.c .bin) "
                + "or set DCA_MODEL");
    }

    /**
     * A bundled folder under the project root, e.g. {@code models/demo-kb} (the sample knowledge base {@code --kb demo}
     * selects), found like the bundled model.
     */
    public static java.util.Optional<Path> bundled(Path relative) {
        for (Path root : candidateRoots()) {
            Path p = root.resolve(relative);
            if (Files.isDirectory(p)) return java.util.Optional.of(p);
        }
        return java.util.Optional.empty();
    }

    /** Whether {@code modelPath} is the bundled model's folder (as {@link #resolve} finds it, or named explicitly). */
    public static boolean isBundled(Path modelPath) {
        if (modelPath == null) return false;
        try {
            Path real = modelPath.toRealPath();
            for (Path root : candidateRoots()) {
                Path p = root.resolve(BUNDLED);
                if (Files.isDirectory(p) && p.toRealPath().equals(real)) return true;
            }
        } catch (java.io.IOException e) {
            return false; // not a folder that exists: not the bundled model
        }
        return false;
    }

    public static LanguageModel load(Path explicit) {
        return load(explicit, LoadOptions.DEFAULT);
    }

    /** The model {@link #resolve} finds, loaded with {@code options} (device, compute dtype, batch). */
    public static LanguageModel load(Path explicit, LoadOptions options) {
        Path p = resolve(explicit);
        if (!Files.exists(p)) throw new IllegalArgumentException("model not found: " + p);
        return ModelLoader.load(p, options);
    }

    private static java.util.List<Path> candidateRoots() {
        java.util.List<Path> roots = new java.util.ArrayList<>();
        // the working directory and the folders above it (a shell in a subfolder of the project, e.g. cli/)
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) roots.add(p);
        try {
            // the launcher runs cli/target/dca.jar: the project root is two folders up
            Path jar = Path.of(ModelResolver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) roots.add(p);
        } catch (Exception ignored) {
            // no code source (unusual class loader): the working directory is all we have
        }
        return roots;
    }
}
