package dev.dca.knowledge.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dca.knowledge.SourceDocument;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BEIR-layout dataset: {@code corpus.jsonl} ({@code _id}, {@code title}, {@code text}), {@code queries.jsonl}
 * ({@code _id}, {@code text}) and {@code qrels/test.tsv} ({@code query-id corpus-id score}, with a header line).
 * Only queries that have judgements are kept.
 */
public record BeirDataset(List<SourceDocument> corpus, Map<String, String> queries,
        Map<String, Map<String, Integer>> qrels) {

    public static BeirDataset load(Path dir, String split) throws IOException {
        Path corpusFile = dir.resolve("corpus.jsonl");
        Path queriesFile = dir.resolve("queries.jsonl");
        Path qrelsFile = dir.resolve("qrels").resolve(split + ".tsv");
        for (Path p : List.of(corpusFile, queriesFile, qrelsFile))
            if (!Files.isRegularFile(p))
                throw new NoSuchFileException(p.toString(), null, "not a BEIR dataset folder (missing " + dir.relativize(p) + ")");
        ObjectMapper json = new ObjectMapper();
        List<SourceDocument> corpus = new ArrayList<>();
        forEachLine(corpusFile, (line, n) -> {
            JsonNode o = json.readTree(line);
            corpus.add(new SourceDocument(required(o, "_id", corpusFile, n), o.path("title").asText(""), "beir",
                    o.path("text").asText("")));
        });
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        forEachLine(qrelsFile, (line, n) -> {
            String[] f = line.split("\t");
            if (f.length < 3) throw new IOException(qrelsFile + ":" + n + ": expected query-id, corpus-id, score");
            if (n == 1 && !f[2].trim().matches("-?\\d+")) return; // header
            int rel = Integer.parseInt(f[2].trim());
            qrels.computeIfAbsent(f[0].trim(), k -> new HashMap<>()).put(f[1].trim(), rel);
        });
        Map<String, String> queries = new LinkedHashMap<>();
        forEachLine(queriesFile, (line, n) -> {
            JsonNode o = json.readTree(line);
            String id = required(o, "_id", queriesFile, n);
            if (qrels.containsKey(id)) queries.put(id, o.path("text").asText(""));
        });
        return new BeirDataset(corpus, queries, qrels);
    }

    private static String required(JsonNode o, String field, Path file, int line) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || v.asText().isEmpty()) throw new IOException(file + ":" + line + ": missing " + field);
        return v.asText();
    }

    private interface LineHandler {
        void accept(String line, int lineNumber) throws IOException;
    }

    private static void forEachLine(Path file, LineHandler handler) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                if (!line.isBlank()) handler.accept(line, n);
            }
        }
    }
}
