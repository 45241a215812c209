package dev.faasx.azure.function.internal;

/**
 * Answers one spec invoke request (JSON bytes) with one spec invoke response (JSON bytes). Never throws for a bad
 * request or a failing job: those become {@code success:false} answers.
 */
@FunctionalInterface
public interface Answerer {
    byte[] answer(byte[] request);
}
