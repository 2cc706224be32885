package dev.dca.runtime;

import java.nio.file.Path;

/**
 * A model or tokenizer file that cannot be used: truncated, corrupt, lying header, unknown architecture, shape
 * mismatch, missing companion file. The message is one line naming the file and the problem, fit to show a user.
 */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
