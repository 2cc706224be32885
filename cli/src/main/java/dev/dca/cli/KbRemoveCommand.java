package dev.dca.cli;

import dev.dca.knowledge.KnowledgeBase;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a file, or every file under a folder, from the knowledge base (the files themselves may be gone).")
final class KbRemoveCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin KbDirOption kb;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders as they were ingested.")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        try (KnowledgeBase base = KnowledgeBase.open(kb.existing())) {
            int total = 0;
            for (String p : paths) {
                int n = base.remove(p);
                if (n == 0) spec.commandLine().getErr().println("dca: warning: nothing ingested under " + p);
                total += n;
            }
            out.printf("removed %d file%s from %s%n", total, total == 1 ? "" : "s", base.directory());
            return 0;
        }
    }
}
