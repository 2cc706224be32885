package dev.dca.knowledge;

import java.util.List;

/**
 * Text that is not a file on disk (a BEIR corpus entry, a web page fetched by someone else): ingested like a file,
 * identified by {@code source}, replaced when its text changes.
 */
public record SourceDocument(String source, String title, String fileType, String text) {

    public SourceDocument {
        if (source == null || source.isBlank()) throw new IllegalArgumentException("source must not be blank");
        if (text == null) throw new IllegalArgumentException("text must not be null");
        if (title == null || title.isBlank()) title = source;
        if (fileType == null) fileType = "";
    }

    ParsedDocument toParsed() {
        return new ParsedDocument(source, title, fileType, text, List.of(), List.of());
    }
}
