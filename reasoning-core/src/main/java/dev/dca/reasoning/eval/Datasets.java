package dev.dca.reasoning.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads evaluation datasets: JSONL files in GSM8K or MATH form, or bundled {@code builtin:NAME} sets. */
public final class Datasets {

    /** Bundled sets: {@code builtin:NAME} (a few hand-written GSM8K-style problems for smoke tests). */
    public static final List<String> BUILTIN = List.of("arith-sample");

    /** Lines longer than this are rejected rather than parsed (a corrupt or binary file). */
    static final int MAX_LINE = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Datasets() {}

    /** {@code builtin:NAME} or a JSONL path. */
    public static List<Problem> load(String spec) {
        if (spec.startsWith("builtin:")) return builtin(spec.substring("builtin:".length()));
        return load(Path.of(spec));
    }

    public static List<Problem> builtin(String name) {
        InputStream in = Datasets.class.getResourceAsStream("builtin/" + name + ".jsonl");
        if (in == null) throw new IllegalArgumentException("unknown builtin dataset '" + name + "': available " + BUILTIN);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return read(r, "builtin:" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a JSONL dataset.
     *
     * @throws IllegalArgumentException naming the file and line of the first bad row, or when it is missing or empty
     */
    public static List<Problem> load(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("dataset not found: " + file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException("dataset " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read dataset " + file + ": " + e.getMessage());
        }
    }

    private static List<Problem> read(BufferedReader r, String name) throws IOException {
        List<Problem> out = new ArrayList<>();
        int lineNo = 0;
        StringBuilder line = new StringBuilder();
        while (readLine(r, line)) {
            lineNo++;
            if (line.toString().isBlank()) continue;
            try {
                Problem p = Problem.fromJson(JSON.readTree(line.toString()));
                out.add(p.id() == null ? new Problem(name + ":" + lineNo, p.question(), p.gold()) : p);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("dataset " + name + " line " + lineNo + ": not valid JSON");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dataset " + name + " line " + lineNo + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("dataset " + name + " has no problems");
        return out;
    }

    /** Reads one line into {@code sb}, refusing lines over {@link #MAX_LINE} characters. */
    private static boolean readLine(BufferedReader r, StringBuilder sb) throws IOException {
        sb.setLength(0);
        int c;
        boolean any = false;
        while ((c = r.read()) >= 0) {
            any = true;
            if (c == '\n') return true;
            if (sb.length() >= MAX_LINE) throw new IllegalArgumentException("dataset line longer than " + MAX_LINE + " characters: not a JSONL dataset?");
            sb.append((char) c);
        }
        return any;
    }
}
