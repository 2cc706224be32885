package dev.dca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dca.knowledge.Fusion;
import dev.dca.knowledge.KnowledgeBase;
import dev.dca.knowledge.SearchHit;
import dev.dca.knowledge.SearchMode;
import dev.dca.knowledge.SearchRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "search", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Search the knowledge base; each hit shows its score, source, location and text.")
final class KbSearchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin KbDirOption kb;

    @Parameters(arity = "1..*", paramLabel = "QUERY", description = "The query (words are joined with spaces).")
    List<String> query;

    @Option(names = "--mode", paramLabel = "MODE", description = "bm25, dense or hybrid.")
    String mode = "hybrid";

    @Option(names = "--k", paramLabel = "N", description = "Number of hits.")
    int k = 5;

    @Option(names = "--path-prefix", paramLabel = "P", description = "Only sources whose path starts with P.")
    String pathPrefix;

    @Option(names = "--type", paramLabel = "T", description = "Only files of type T (pdf, docx, html, md, txt; repeatable).")
    List<String> types = new ArrayList<>();

    @Option(names = "--fusion", paramLabel = "F", description = "Hybrid fusion: normalized or rrf.")
    String fusion = "normalized";

    @Option(names = "--json", description = "Print the hits as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SearchRequest.Builder b = SearchRequest.builder(String.join(" ", query))
                .mode(SearchMode.parse(mode)).k(k).pathPrefix(pathPrefix).fusion(Fusion.parse(fusion));
        for (String t : types) b.fileType(t);
        SearchRequest request = b.build();
        var out = spec.commandLine().getOut();
        try (KnowledgeBase base = KnowledgeBase.open(kb.existing())) {
            List<SearchHit> hits = base.search(request);
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SearchHit h : hits) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("score", h.score());
                    row.put("source", h.source());
                    row.put("title", h.title());
                    row.put("type", h.fileType());
                    row.put("page", h.location().page());
                    row.put("section", h.location().section());
                    row.put("start", h.location().start());
                    row.put("end", h.location().end());
                    row.put("text", h.text());
                    rows.add(row);
                }
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
            } else if (hits.isEmpty()) {
                out.println("no hits");
            } else {
                int i = 1;
                for (SearchHit h : hits) {
                    out.printf("%d. [%.4f] %s%n", i++, h.score(), h.citation());
                    out.printf("   %s%n", h.title());
                    String text = h.text().replaceAll("\\s+", " ").strip();
                    out.printf("   %s%n%n", text.length() > 400 ? text.substring(0, 400) + " ..." : text);
                }
            }
            return 0;
        }
    }
}
