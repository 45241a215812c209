package dev.faasx.core.spec;

/**
 * How an invoke message carries its payload bytes.
 *
 * <ul>
 *   <li>{@link #BYTE_ARRAY}: the spec v1 form, a JSON array of integers 0–255 ({@code "args":[104,105]},
 *       {@code "result":[...]}). Every v1 client, server and function understands it.</li>
 *   <li>{@link #BASE64}: the opt-in extension, a standard base64 string ({@code "args_base64":"aGk="},
 *       {@code "result_base64":"..."}) that is about three times smaller and much faster to process. A function
 *       built on faasx answers in base64 exactly when it was asked in base64.</li>
 * </ul>
 */
public enum PayloadEncoding {
    /** {@code "args":[0..255,...]} / {@code "result":[...]}: spec v1. */
    BYTE_ARRAY,
    /** {@code "args_base64":"..."} / {@code "result_base64":"..."}: the faasx extension. */
    BASE64
}
