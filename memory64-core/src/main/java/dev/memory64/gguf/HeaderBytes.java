package dev.memory64.gguf;

/**
 * The bytes that metadata values read from a file point into: the file's header. The parser grows
 * the array while it reads and sets the final one before the values are published (they are
 * reachable only through the {@link GgufFile}'s final fields, so they see the final array).
 */
final class HeaderBytes {

    byte[] bytes;

    HeaderBytes(byte[] bytes) {
        this.bytes = bytes;
    }
}
