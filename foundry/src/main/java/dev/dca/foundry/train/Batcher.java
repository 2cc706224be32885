package dev.dca.foundry.train;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.dca.foundry.curriculum.ExampleSource;
import dev.dca.foundry.curriculum.Example;
import dev.dca.foundry.tokenizer.ChatFormat;
import dev.dca.runtime.chat.Message;
import java.util.Arrays;
import java.util.List;

/**
 * Turns curriculum examples into training rows: whole conversations packed into rows of {@code seqLen + 1}
 * tokens, padded at the end. Row {@code r} of step {@code s} reads examples from index
 * {@code (s * batch + r) * STRIDE} on, so a step's data depends on nothing but the seed and the step: resuming
 * needs no data state.
 *
 * <p>A conversation that does not fit the rest of a row is skipped and the next ones are tried (up to
 * {@link #MAX_MISSES}), which fills rows better than padding at the first miss; the curriculum is unbounded, so
 * nothing is lost by skipping.
 *
 * <p>The loss mask is 1 on assistant tokens only (the reply and its {@code <|im_end|>}), so the model learns to
 * answer, not to write questions. A conversation longer than a row is skipped, never cut, so every answer
 * trained on is complete. Each segment is encoded on its own; special tokens and the newline around them
 * are pre-token boundaries, so this gives the same ids as encoding the rendered conversation whole (a test checks).
 */
public final class Batcher {

    /** Most examples one row can take; examples are short, a row of 1024 tokens holds far fewer. */
    static final int STRIDE = 256;
    /** Conversations tried after the first that does not fit, before a row is padded. */
    static final int MAX_MISSES = 8;

    /** One step's rows: {@code tokens[r]} has seqLen + 1 ids; {@code mask[r][i]} says whether token i+1 is a target. */
    public record Batch(long[][] tokens, float[][] mask, long targetTokens) {}

    private final ExampleSource curriculum;
    private final HuggingFaceTokenizer tokenizer;
    private final int seqLen;
    private final int batchSize;

    public Batcher(ExampleSource curriculum, HuggingFaceTokenizer tokenizer, int seqLen, int batchSize) {
        this.curriculum = curriculum;
        this.tokenizer = tokenizer;
        this.seqLen = seqLen;
        this.batchSize = batchSize;
    }

    public Batch batch(long step) {
        long[][] tokens = new long[batchSize][];
        float[][] mask = new float[batchSize][];
        long targets = 0;
        for (int r = 0; r < batchSize; r++) {
            long[] row = new long[seqLen + 1];
            float[] m = new float[seqLen];
            Arrays.fill(row, ChatFormat.BOS_ID); // padding, never a target
            int filled = 0;
            long index = (step * batchSize + r) * STRIDE;
            int misses = 0;
            for (int k = 0; k < STRIDE && filled < row.length && misses < MAX_MISSES; k++) {
                Encoded e = encode(curriculum.example(index + k).messages());
                if (e.ids.length > row.length) continue; // longer than a row: skipped, never cut (its answer would be lost)
                if (filled + e.ids.length > row.length) { // does not fit: try a few more to fill the gap
                    misses++;
                    continue;
                }
                int n = e.ids.length;
                for (int i = 0; i < n; i++) {
                    row[filled + i] = e.ids[i];
                    if (filled + i > 0 && e.trained[i]) {
                        m[filled + i - 1] = 1;
                        targets++;
                    }
                }
                filled += n;
            }
            tokens[r] = row;
            mask[r] = m;
        }
        return new Batch(tokens, mask, targets);
    }

    private record Segment(String text, boolean trained) {}

    /** A conversation's ids and, per id, whether it is trained on. */
    record Encoded(long[] ids, boolean[] trained) {}

    Encoded encode(List<Message> messages) {
        long[] ids = new long[64];
        boolean[] trained = new boolean[64];
        int n = 0;
        ids[n++] = ChatFormat.BOS_ID;
        for (Message msg : messages) {
            boolean assistant = msg.role().equals("assistant");
            for (Segment seg : List.of(new Segment(ChatFormat.header(msg.role()), false), new Segment(ChatFormat.body(msg.content()), assistant),
                    new Segment("\n", false))) {
                long[] part = tokenizer.encode(seg.text(), false, false).getIds();
                if (n + part.length > ids.length) {
                    int cap = Math.max(ids.length * 2, n + part.length);
                    ids = Arrays.copyOf(ids, cap);
                    trained = Arrays.copyOf(trained, cap);
                }
                System.arraycopy(part, 0, ids, n, part.length);
                Arrays.fill(trained, n, n + part.length, seg.trained());
                n += part.length;
            }
        }
        return new Encoded(Arrays.copyOf(ids, n), Arrays.copyOf(trained, n));
    }

    Encoded encode(Example example) {
        return encode(example.messages());
    }
}
