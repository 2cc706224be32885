package dev.dca.knowledge;

/**
 * Where a chunk sits in its source: page (1-based, PDFs only), the nearest preceding section heading, and the
 * character range in the extracted text ({@code [start, end)}).
 */
public record Location(Integer page, String section, int start, int end) {

    public Location {
        if (start < 0 || end < start) throw new IllegalArgumentException("bad character range " + start + ".." + end);
        if (page != null && page < 1) throw new IllegalArgumentException("page must be >= 1: " + page);
    }

    /** A short citation such as {@code p. 3, "Methods", chars 120-560}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (page != null) sb.append("p. ").append(page).append(", ");
        if (section != null && !section.isBlank()) sb.append('"').append(section).append("\", ");
        return sb.append("chars ").append(start).append('-').append(end).toString();
    }
}
