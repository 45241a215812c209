package dev.faasx.server.internal.exec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The peak resident memory of a live worker and the processes it had started when it became ready, read from
 * {@code VmHWM} in {@code /proc/PID/status} ("high water mark" of the resident set, kept by the kernel). The files
 * stay open and are re-read from the start, which regenerates them, so one reading costs a few microseconds.
 *
 * <p>Only live processes can be read (the kernel drops the figure when a process exits), which is why one-shot
 * processes get no memory figure. When any file cannot be read the answer is unknown, never a guess. Not
 * thread-safe: one caller at a time.
 */
final class PeakMemory implements AutoCloseable {
    private static final byte[] KEY = "VmHWM:".getBytes(StandardCharsets.US_ASCII);

    private final List<RandomAccessFile> files;
    private final byte[] buffer = new byte[4096];

    private PeakMemory(List<RandomAccessFile> files) {
        this.files = files;
    }

    /** A reader for {@code root} and its current descendants; reads nothing where {@code /proc} is missing. */
    static PeakMemory of(ProcessHandle root) {
        List<RandomAccessFile> files = new ArrayList<>();
        List<ProcessHandle> processes = new ArrayList<>();
        processes.add(root);
        root.descendants().forEach(processes::add);
        try {
            for (ProcessHandle process : processes) {
                files.add(new RandomAccessFile("/proc/" + process.pid() + "/status", "r"));
            }
        } catch (IOException e) {
            closeAll(files);
            files.clear();
        }
        return new PeakMemory(files);
    }

    /** The sum of the peaks in MiB, rounded up; empty when unknown. */
    OptionalLong peakMb() {
        if (files.isEmpty()) {
            return OptionalLong.empty();
        }
        long totalKb = 0;
        for (RandomAccessFile file : files) {
            long kb = readKb(file);
            if (kb < 0) {
                return OptionalLong.empty();
            }
            totalKb += kb;
        }
        return OptionalLong.of((totalKb + 1023) / 1024);
    }

    private long readKb(RandomAccessFile file) {
        try {
            file.seek(0);
            int n = 0;
            int r;
            while (n < buffer.length && (r = file.read(buffer, n, buffer.length - n)) > 0) {
                n += r;
            }
            return parse(buffer, n);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The number after {@code VmHWM:} at the start of a line, in kB; -1 when absent (a zombie has none). */
    static long parse(byte[] text, int length) {
        int line = 0;
        while (line + KEY.length <= length) {
            if (startsWithKey(text, line)) {
                long value = 0;
                boolean digits = false;
                for (int j = line + KEY.length; j < length && text[j] != '\n'; j++) {
                    byte b = text[j];
                    if (b >= '0' && b <= '9') {
                        value = value * 10 + (b - '0');
                        digits = true;
                    } else if (digits) {
                        break;
                    }
                }
                return digits ? value : -1;
            }
            while (line < length && text[line] != '\n') {
                line++;
            }
            line++;
        }
        return -1;
    }

    private static boolean startsWithKey(byte[] text, int at) {
        for (int k = 0; k < KEY.length; k++) {
            if (text[at + k] != KEY[k]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closeAll(files);
    }

    private static void closeAll(List<RandomAccessFile> files) {
        for (RandomAccessFile file : files) {
            try {
                file.close();
            } catch (IOException e) {
                // Nothing to do: the file was only read.
            }
        }
    }
}
