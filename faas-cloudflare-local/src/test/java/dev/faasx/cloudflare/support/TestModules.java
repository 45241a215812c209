package dev.faasx.cloudflare.support;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.WorkerModule;
import java.util.List;

/** Worker modules the tests deploy: plain JavaScript and a real WebAssembly module. */
public final class TestModules {
    private TestModules() {
    }

    /**
     * A WebAssembly module exporting {@code add(i32, i32) -> i32}, assembled by hand from the binary format: the
     * magic and version, a type section (one function type (i32, i32) -> i32), a function section, an export
     * section naming it "add", and a code section with {@code local.get 0; local.get 1; i32.add; end}.
     */
    public static byte[] addWasm() {
        return new byte[] {
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
            0x03, 0x02, 0x01, 0x00,
            0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00,
            0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b
        };
    }

    /** A fetch Worker that answers "{a}+{b}={sum}" for the query ?a=..&b=.., computed by the WASM module. */
    public static FunctionPackage.WorkerModules wasmAddFetchWorker() {
        String js = """
                import addModule from "./add.wasm";
                const add = new WebAssembly.Instance(addModule, {}).exports.add;
                export default {
                  fetch(request) {
                    const url = new URL(request.url);
                    const a = Number(url.searchParams.get("a")), b = Number(url.searchParams.get("b"));
                    return new Response(`${a}+${b}=${add(a, b)}`);
                  }
                };
                """;
        return FunctionPackage.workerModules("worker.js",
                List.of(WorkerModule.esModule("worker.js", js), WorkerModule.wasm("add.wasm", addWasm())));
    }

    /** A fetch Worker that answers with {@code text}. */
    public static FunctionPackage.WorkerModules textWorker(String text) {
        String js = "export default { fetch() { return new Response(" + quote(text) + "); } };";
        return FunctionPackage.workerModules("worker.js", List.of(WorkerModule.esModule("worker.js", js)));
    }

    /** A single-module Worker with the given source. */
    public static FunctionPackage.WorkerModules worker(String source) {
        return FunctionPackage.workerModules("worker.js", List.of(WorkerModule.esModule("worker.js", source)));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
