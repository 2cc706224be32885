package dev.dca.knowledge;

import java.util.List;

/**
 * Text extracted from one source, with where its pages and section headings start (character offsets into
 * {@code text}). {@code pageStarts} is empty for formats without pages.
 */
public record ParsedDocument(String source, String title, String fileType, String text, List<Integer> pageStarts,
        List<Heading> headings) {

    public record Heading(int offset, int level, String text) {}

    public ParsedDocument {
        pageStarts = List.copyOf(pageStarts);
        headings = List.copyOf(headings);
    }

    /** 1-based page of a character offset, or null when the document has no pages. */
    public Integer pageAt(int offset) {
        if (pageStarts.isEmpty()) return null;
        int page = 1;
        for (int i = 0; i < pageStarts.size(); i++) if (pageStarts.get(i) <= offset) page = i + 1;
        return page;
    }

    /** The nearest heading at or before a character offset, or null. */
    public String sectionAt(int offset) {
        String section = null;
        for (Heading h : headings) {
            if (h.offset() > offset) break;
            section = h.text();
        }
        return section;
    }
}
