package dev.dca.knowledge;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits extracted text with langchain4j's recursive splitter (paragraphs, then lines, sentences, words) and maps
 * each segment back to its character range in the text, its page and its section.
 *
 * <p>langchain4j's segments carry no offsets, and the splitter may re-join the pieces of a segment with different
 * whitespace, so offsets are recovered by locating each segment's first and last words in the source text,
 * (up to eight words, any whitespace between them), searching forward from the previous segment; that is the only hand-written part.
 */
public final class Chunker {

    private final DocumentSplitter splitter;

    public Chunker(int chunkSize, int overlap) {
        this.splitter = DocumentSplitters.recursive(chunkSize, overlap);
    }

    public List<Chunk> chunk(ParsedDocument doc) {
        String text = doc.text();
        if (text.isBlank()) return List.of();
        List<TextSegment> segments = splitter.split(Document.from(text));
        List<Chunk> chunks = new ArrayList<>(segments.size());
        int searchFrom = 0;
        String previous = null;
        for (TextSegment segment : segments) {
            String s = segment.text().strip();
            // The splitter can emit a short tail again as its own overlap; a repeated segment adds nothing.
            if (s.isEmpty() || s.equals(previous)) continue;
            previous = s;
            String[] words = s.split("\\s+");
            Matcher head = wordsPattern(words, 0, Math.min(words.length, 8)).matcher(text);
            int start = head.find(searchFrom) ? head.start()
                    : head.find(0) ? head.start() : Math.min(searchFrom, text.length());
            Matcher tail = wordsPattern(words, Math.max(0, words.length - 8), words.length).matcher(text);
            int end = tail.find(start) && tail.end() - start <= 2 * s.length() + 64
                    ? tail.end()
                    : Math.min(text.length(), start + s.length());
            chunks.add(new Chunk(chunks.size(), s, new Location(doc.pageAt(start), doc.sectionAt(start), start, end)));
            searchFrom = start + 1;
        }
        return chunks;
    }

    /** Words {@code [from, to)} separated by any whitespace, literally otherwise. */
    private static Pattern wordsPattern(String[] words, int from, int to) {
        StringBuilder re = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) re.append("\\s+");
            re.append(Pattern.quote(words[i]));
        }
        return Pattern.compile(re.toString());
    }
}
