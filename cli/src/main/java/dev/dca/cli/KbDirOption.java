package dev.dca.cli;

import dev.dca.knowledge.KnowledgeBase;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The shared {@code --kb DIR} option. */
final class KbDirOption {

    @Option(names = "--kb", paramLabel = "DIR",
            description = "Knowledge base folder, or 'demo' for the generated sample (default: $DCA_KB or ~/.dca/kb).")
    String dir;

    Path resolve() {
        return dir != null ? named(dir) : KnowledgeBase.defaultDirectory();
    }

    /** {@link #resolve()} for commands that only read or change an index: a folder without one is an error. */
    Path existing() throws java.io.IOException {
        Path p = resolve();
        if (!KnowledgeBase.exists(p)) {
            throw new IllegalArgumentException("knowledge base not found: " + p + " (create it with: dca kb ingest FILES --kb " + p + ")");
        }
        return p;
    }

    /**
     * A {@code --kb} value as a folder: {@code demo} (unless a folder of that name exists here) is the foundry's
     * generated sample knowledge base, built and indexed on first use in {@code ~/.dca/demo-kb}.
     */
    static Path named(String kb) {
        if (kb.equals("demo") && !java.nio.file.Files.isDirectory(Path.of(kb))) {
            return dev.dca.foundry.curriculum.DemoKnowledgeBase.ensure(dev.dca.foundry.curriculum.DemoKnowledgeBase.defaultHome());
        }
        return Path.of(kb);
    }
}
