package dev.faasx.kafka.internal;

/** A failure after which the source cannot go on: its producer was fenced, or Kafka refused it for good. */
final class SourceFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SourceFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
