package dev.dca.cli;

import dev.dca.knowledge.KnowledgeBase;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The shared {@code --kb DIR} option. */
final class KbDirOption {

    @Option(names = "--kb", paramLabel = "DIR",
            description = "Knowledge base folder (default: $DCA_KB or ~/.dca/kb).")
    Path dir;

    Path resolve() {
        return dir != null ? dir : KnowledgeBase.defaultDirectory();
    }
}
