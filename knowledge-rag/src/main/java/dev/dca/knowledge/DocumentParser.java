package dev.dca.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Extracts text from PDF, DOCX, HTML, Markdown and plain text with Apache Tika, keeping page starts (Tika wraps
 * each PDF page in {@code <div class="page">}) and section headings ({@code <h1>..<h6>} from HTML/DOCX, {@code #}
 * lines from Markdown). Embedded files (attachments, images) are not descended into.
 */
public final class DocumentParser {

    /** File types a folder walk picks up; files named explicitly are tried whatever their extension. */
    public static final Set<String> SUPPORTED_TYPES = Set.of(
            "pdf", "docx", "doc", "odt", "rtf", "pptx", "html", "htm", "xhtml", "md", "markdown", "txt", "text",
            "rst", "adoc");

    /** Extracted text beyond this many characters is dropped (with a warning), so a huge file cannot exhaust memory. */
    public static final int MAX_CHARS = 20_000_000;

    private static final Pattern MD_HEADING = Pattern.compile("(?m)^(#{1,6})[ \\t]+(.+?)[ \\t#]*$");

    private final Parser parser = new AutoDetectParser();

    /** Lower-case extension without the dot ({@code htm} reported as {@code html}), or {@code ""}. */
    public static String fileType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "htm", "xhtml" -> "html";
            case "markdown" -> "md";
            case "text" -> "txt";
            default -> ext;
        };
    }

    /**
     * Parses one file.
     *
     * @throws DocumentFormatException when the file is encrypted, corrupt or not parseable (a user error: the caller
     *     skips the file with a warning)
     */
    public ParsedDocument parse(Path file, String source) throws IOException {
        Metadata metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, file.getFileName().toString());
        TextCollector collector = new TextCollector();
        try (InputStream in = Files.newInputStream(file)) {
            parser.parse(in, collector, metadata, new ParseContext());
        } catch (EncryptedDocumentException e) {
            throw new DocumentFormatException(file + ": encrypted (password-protected), skipped");
        } catch (TikaException e) {
            throw new DocumentFormatException(file + ": cannot parse (" + rootMessage(e) + "), skipped");
        } catch (SAXException e) {
            if (!collector.truncated) throw new DocumentFormatException(file + ": cannot parse (" + rootMessage(e) + "), skipped");
        } catch (RuntimeException e) {
            // Tika's parsers occasionally throw unchecked exceptions on malformed input.
            throw new DocumentFormatException(file + ": cannot parse (" + rootMessage(e) + "), skipped");
        }
        String type = fileType(file);
        String text = collector.text.toString();
        List<ParsedDocument.Heading> headings = new ArrayList<>(collector.headings);
        if (type.equals("md") && headings.isEmpty()) {
            Matcher m = MD_HEADING.matcher(text);
            while (m.find()) headings.add(new ParsedDocument.Heading(m.start(), m.group(1).length(), m.group(2).trim()));
        }
        String title = metadata.get(TikaCoreProperties.TITLE);
        if (title == null || title.isBlank()) title = headings.isEmpty() ? null : headings.get(0).text();
        if (title == null || title.isBlank()) title = file.getFileName().toString();
        return new ParsedDocument(source, title.strip(), type, text, collector.pageStarts, headings);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg.lines().findFirst().orElse("");
    }

    /** Thrown for a file that cannot be turned into text. */
    public static final class DocumentFormatException extends IOException {
        public DocumentFormatException(String message) {
            super(message);
        }
    }

    /** Collects Tika's XHTML as plain text with paragraph breaks, page starts and headings. */
    private static final class TextCollector extends DefaultHandler {
        private static final Set<String> BLOCKS = Set.of(
                "p", "div", "li", "tr", "pre", "blockquote", "table", "ul", "ol", "dt", "dd", "section", "article",
                "h1", "h2", "h3", "h4", "h5", "h6");

        final StringBuilder text = new StringBuilder();
        final List<Integer> pageStarts = new ArrayList<>();
        final List<ParsedDocument.Heading> headings = new ArrayList<>();
        boolean truncated;
        private int skipDepth; // inside <head>, <script>, <style>
        private int headingStart = -1;
        private int headingLevel;

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            String name = localName.isEmpty() ? qName : localName;
            if (name.equals("head") || name.equals("script") || name.equals("style")) {
                skipDepth++;
                return;
            }
            if (BLOCKS.contains(name)) paragraphBreak();
            if (name.equals("br")) newline();
            if (name.equals("div") && "page".equals(atts.getValue("class"))) pageStarts.add(text.length());
            if (name.length() == 2 && name.charAt(0) == 'h' && Character.isDigit(name.charAt(1))) {
                headingStart = text.length();
                headingLevel = name.charAt(1) - '0';
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            String name = localName.isEmpty() ? qName : localName;
            if (name.equals("head") || name.equals("script") || name.equals("style")) {
                skipDepth--;
                return;
            }
            if (headingStart >= 0 && name.length() == 2 && name.charAt(0) == 'h' && Character.isDigit(name.charAt(1))) {
                String h = text.substring(headingStart).strip();
                if (!h.isEmpty()) headings.add(new ParsedDocument.Heading(headingStart, headingLevel, h));
                headingStart = -1;
            }
            if (BLOCKS.contains(name)) paragraphBreak();
        }

        @Override
        public void characters(char[] ch, int start, int length) throws SAXException {
            if (skipDepth > 0) return;
            if (text.length() + length > MAX_CHARS) {
                truncated = true;
                throw new SAXException("text longer than " + MAX_CHARS + " characters; the rest is ignored");
            }
            text.append(ch, start, length);
        }

        @Override
        public void ignorableWhitespace(char[] ch, int start, int length) {
            // Tika reports PDF line ends this way: keep one line break, never a run of them.
            if (skipDepth == 0 && text.length() > 0 && text.charAt(text.length() - 1) != '\n') text.append('\n');
        }

        private void newline() {
            if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') text.append('\n');
        }

        private void paragraphBreak() {
            // Trailing spaces before a break carry nothing; at most one blank line between blocks.
            int len = text.length();
            while (len > 0 && (text.charAt(len - 1) == ' ' || text.charAt(len - 1) == '\t')) len--;
            text.setLength(len);
            if (len == 0) return;
            if (text.charAt(len - 1) != '\n') text.append("\n\n");
            else if (len < 2 || text.charAt(len - 2) != '\n') text.append('\n');
        }
    }
}
