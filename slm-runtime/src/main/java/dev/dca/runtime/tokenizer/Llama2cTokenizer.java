package dev.dca.runtime.tokenizer;

import dev.dca.runtime.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The llama2.c tokenizer ({@code tokenizer.bin}, {@code tok*.bin}): a score-ordered BPE over UTF-8 code points with
 * byte fallback, encoding and decoding exactly like llama2.c's {@code run.c} ({@code encode()}, {@code decode()}).
 *
 * <p>File grammar (little-endian): {@code int32 max_token_length}, then per token until the end of the file
 * {@code float32 score, int32 length, byte[length] piece}. The vocabulary size is not stored; it is the number of
 * records. Ids 0, 1, 2 are {@code <unk>}, {@code <s>}, {@code </s>}; byte {@code b} falls back to id {@code b + 3}.
 *
 * <p>Written by hand because no library reads this format; it is a few dozen lines in run.c.
 */
public final class Llama2cTokenizer implements Tokenizer {

    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;

    private final byte[][] pieces; // [vocab] raw piece bytes (as in the file; run.c strings)
    private final float[] scores; // [vocab]
    private final Map<String, Integer> idOf; // piece (ISO-8859-1 view of the bytes) -> first id with it
    private final int maxTokenLength;

    private Llama2cTokenizer(byte[][] pieces, float[] scores, int maxTokenLength) {
        this.pieces = pieces;
        this.scores = scores;
        this.maxTokenLength = maxTokenLength;
        this.idOf = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            idOf.putIfAbsent(key(pieces[i]), i); // run.c's bsearch finds some id; duplicates do not occur in practice
        }
    }

    /** Reads a llama2.c {@code tokenizer.bin}; a missing, truncated or corrupt file is a {@link ModelFormatException}. */
    public static Llama2cTokenizer load(Path tokenizerBin) {
        return load(tokenizerBin, -1);
    }

    /**
     * Reads exactly {@code vocabSize} records, as run.c does with the checkpoint's vocab_size (bytes after them are
     * ignored); fewer records than that is a {@link ModelFormatException}.
     */
    public static Llama2cTokenizer load(Path tokenizerBin, int vocabSize) {
        byte[] all;
        try {
            long size = Files.size(tokenizerBin);
            if (size > Integer.MAX_VALUE - 16) {
                throw new ModelFormatException(tokenizerBin, "llama2.c tokenizer file too large (" + size + " bytes)");
            }
            all = Files.readAllBytes(tokenizerBin);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(tokenizerBin, "tokenizer file not found");
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerBin, "cannot read tokenizer: " + e.getMessage(), e);
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 4) {
            throw new ModelFormatException(tokenizerBin, "not a llama2.c tokenizer: file too short (" + all.length + " bytes)");
        }
        int maxLen = buf.getInt();
        if (maxLen <= 0 || maxLen > 1 << 16) {
            throw new ModelFormatException(tokenizerBin, "not a llama2.c tokenizer: max_token_length " + maxLen + " out of range");
        }
        List<byte[]> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (vocabSize < 0 ? buf.hasRemaining() : pieces.size() < vocabSize) {
            long offset = buf.position();
            if (buf.remaining() < 8) {
                throw new ModelFormatException(tokenizerBin, "truncated token record " + pieces.size() + " at offset " + offset
                        + (vocabSize < 0 ? "" : " (the model needs " + vocabSize + " tokens)"));
            }
            float score = buf.getFloat();
            int len = buf.getInt();
            if (len < 0 || len > maxLen) {
                throw new ModelFormatException(tokenizerBin,
                        "corrupt token " + pieces.size() + " at offset " + offset + ": length " + len
                                + " outside 0.." + maxLen);
            }
            if (buf.remaining() < len) {
                throw new ModelFormatException(tokenizerBin,
                        "truncated token " + pieces.size() + " at offset " + offset + ": needs " + len + " bytes, "
                                + buf.remaining() + " left");
            }
            if (Float.isNaN(score)) {
                throw new ModelFormatException(tokenizerBin, "corrupt token " + pieces.size() + ": score is NaN");
            }
            byte[] piece = new byte[len];
            buf.get(piece);
            pieces.add(piece);
            scores.add(score);
        }
        if (pieces.size() < 3 + 256) {
            throw new ModelFormatException(tokenizerBin,
                    "not a llama2.c tokenizer: " + pieces.size() + " tokens, expected at least 259 (3 specials + 256 bytes)");
        }
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) s[i] = scores.get(i);
        return new Llama2cTokenizer(pieces.toArray(byte[][]::new), s, maxLen);
    }

    private static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private int lookup(byte[] bytes, int from, int len) {
        Integer id = idOf.get(new String(bytes, from, len, StandardCharsets.ISO_8859_1));
        return id == null ? -1 : id;
    }

    /** run.c {@code encode(t, text, bos=addSpecialTokens, eos=0)}. */
    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[utf8.length + 3];
        int n = 0;
        if (addSpecialTokens) tokens[n++] = BOS;
        if (utf8.length > 0) {
            // sentencepiece's add_dummy_prefix: the text starts with a space
            int dummy = lookup(new byte[] {' '}, 0, 1);
            tokens[n++] = dummy >= 0 ? dummy : ' ' + 3;
        }
        // code points: look each up, falling back to its bytes (id = byte + 3)
        int i = 0;
        while (i < utf8.length) {
            int start = i;
            i++;
            while (i < utf8.length && (utf8[i] & 0xC0) == 0x80 && i - start < 4) i++;
            int id = lookup(utf8, start, i - start);
            if (id >= 0) {
                tokens[n++] = id;
            } else {
                for (int j = start; j < i; j++) tokens[n++] = (utf8[j] & 0xFF) + 3;
            }
        }
        // merge the best-scoring adjacent pair until none is in the vocabulary (run.c includes BOS in the scan)
        byte[] scratch = new byte[2 * maxTokenLength + 2];
        while (true) {
            float bestScore = -1e10f;
            int bestId = -1;
            int bestIdx = -1;
            for (int k = 0; k < n - 1; k++) {
                byte[] a = pieces[tokens[k]];
                byte[] b = pieces[tokens[k + 1]];
                if (a.length + b.length > scratch.length) continue;
                System.arraycopy(a, 0, scratch, 0, a.length);
                System.arraycopy(b, 0, scratch, a.length, b.length);
                int id = lookup(scratch, 0, a.length + b.length);
                if (id != -1 && scores[id] > bestScore) {
                    bestScore = scores[id];
                    bestId = id;
                    bestIdx = k;
                }
            }
            if (bestIdx == -1) break;
            tokens[bestIdx] = bestId;
            System.arraycopy(tokens, bestIdx + 2, tokens, bestIdx + 1, n - bestIdx - 2);
            n--;
        }
        return Arrays.copyOf(tokens, n);
    }

    /**
     * run.c {@code decode()} over a sequence: the leading space of the piece after BOS is dropped, {@code <0xNN>}
     * pieces become the raw byte, and the bytes are read as UTF-8 at the end (so multi-byte characters split over
     * byte tokens come out whole).
     */
    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = -1;
        for (int id : ids) {
            if (id < 0 || id >= pieces.length) {
                throw new IllegalArgumentException("token id " + id + " outside vocabulary 0.." + (pieces.length - 1));
            }
            if (skipSpecialTokens && (id == UNK || id == BOS || id == EOS)) {
                prev = id;
                continue;
            }
            byte[] piece = pieces[id];
            int from = 0;
            if (prev == BOS && piece.length > 0 && piece[0] == ' ') from = 1;
            int b = byteFallback(piece);
            if (b >= 0) {
                out.write(b);
            } else {
                out.write(piece, from, piece.length - from);
            }
            prev = id;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The byte of a {@code <0xNN>} piece, or -1. */
    private static int byteFallback(byte[] p) {
        if (p.length != 6 || p[0] != '<' || p[1] != '0' || p[2] != 'x' || p[5] != '>') return -1;
        int hi = Character.digit(p[3], 16);
        int lo = Character.digit(p[4], 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public OptionalInt bosTokenId() {
        return OptionalInt.of(BOS);
    }

    @Override
    public int[] eosTokenIds() {
        return new int[] {EOS};
    }

    @Override
    public String tokenText(int id) {
        return new String(pieces[id], StandardCharsets.UTF_8);
    }

    /** The score of a token (its merge priority). */
    public float score(int id) {
        return scores[id];
    }
}
