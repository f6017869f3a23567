package com.partnermix.common;

/**
 * A run that cannot proceed: bad input that is not one record's fault (a feed missing, a
 * file with the wrong header, a failed data-quality gate). The launcher prints the message
 * and exits non-zero before anything downstream is written.
 */
public class RunStoppedException extends RuntimeException {
    public RunStoppedException(String message) {
        super(message);
    }

    public RunStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}
