package chainrule.serve;

import chainrule.diag.Diagnostic;
import chainrule.diag.DiagnosticException;
import chainrule.diag.Source;
import chainrule.print.Json;
import chainrule.print.Notation;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * {@code chainrule serve}: the playground's HTTP server, on the JDK's {@code com.sun.net.httpserver}
 * (see docs/design.md for why no framework). It serves the page and its files from the jar, and
 * answers the page's requests by the library calls the commands make ({@link Analysis},
 * {@link Exports}).
 *
 * <p>Safety (docs/playground.md): it listens on 127.0.0.1 only; every request must name this
 * server in {@code Host} and, when a browser sends one, {@code Origin} (so a web page cannot reach
 * it by DNS rebinding or a cross-site form); a body is limited to {@code --max-input} bytes; every
 * computation runs under the work limits on a bounded set of threads with a timeout ({@link Work});
 * the only file read or written is the one given, and it is written only by Save. The server keeps
 * no state between requests but the file's path, so concurrent requests cannot interfere.
 */
public final class PlaygroundServer {
    /** Where the page's own files live in the jar. */
    private static final String WEB = "chainrule/serve/web/";
    private static final String KATEX = "chainrule/serve/katex/";
    private static final String EXAMPLES = "chainrule/serve/examples/";
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_-][\\p{L}\\p{N}_.-]{0,99}");
    private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9_-]+(?:[./][A-Za-z0-9_-]+)*\\.[a-z0-9]+"); // no "..", no empty segment

    /** The examples menu: id, title, file name under examples/. */
    static final List<List<String>> EXAMPLES_MENU = List.of(
            List.of("mazur", "Mazur's 2-2-2 network (sigmoid, squared error)", "mazur.nn"),
            List.of("mazur-book", "The book's example, in its names (들 나)", "mazur-book.nn"),
            List.of("hangul", "The book's vocabulary in Hangul (들 나 웨 오차)", "hangul.nn"),
            List.of("chain10-sigmoid", "Deep sigmoid: ten layers in a chain", "chain10-sigmoid.nn"),
            List.of("chain10-relu", "Deep ReLU: the same ten layers with relu", "chain10-relu.nn"),
            List.of("softmax", "A softmax classifier (relu, cross-entropy)", "softmax.nn"));

    /** Seconds a client may take to send one request (line, headers and body), read by the JDK's server when it starts. */
    static final String REQUEST_READ_SECONDS = "5";

    static {
        // Without this the JDK's server waits forever for a half-sent request, and a few of them
        // (more than the 8 HTTP threads) leave the page unanswered: drop such a connection after 5 s
        // (a body of --max-input bytes takes milliseconds over loopback). A value set with -D wins.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", REQUEST_READ_SECONDS);
        }
    }

    /** What the server was started with. */
    public record Config(Path file, int port, int maxNesting, int maxInput, long maxVertices, long timeoutMillis, int workers) {}

    private final Config config;
    private final HttpServer http;
    private final ExecutorService io;
    private final Work work;
    private final Set<String> hosts;
    private final Set<String> origins;
    private final Analysis.Limits limits;

    private PlaygroundServer(Config config, HttpServer http, ExecutorService io) {
        this.config = config;
        this.http = http;
        this.io = io;
        this.work = new Work(config.workers(), config.timeoutMillis(), config.maxVertices());
        int port = http.getAddress().getPort();
        this.hosts = Set.of("127.0.0.1:" + port, "localhost:" + port);
        this.origins = Set.of("http://127.0.0.1:" + port, "http://localhost:" + port);
        this.limits = new Analysis.Limits(config.maxNesting(), config.maxInput(), config.maxVertices());
    }

    /** Starts listening on 127.0.0.1 ({@code port} 0: any free port). */
    public static PlaygroundServer start(Config config) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 64);
        ExecutorService io = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "chainrule-serve-http");
            t.setDaemon(true);
            return t;
        });
        PlaygroundServer server = new PlaygroundServer(config, http, io);
        http.createContext("/", server::handle);
        http.setExecutor(io);
        http.start();
        return server;
    }

    /** The page's address. */
    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    }

    public int port() { return http.getAddress().getPort(); }

    public void stop() {
        http.stop(0);
        io.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Headers h = ex.getResponseHeaders();
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            h.set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                    + "img-src 'self' data: blob:; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
            String host = ex.getRequestHeaders().getFirst("Host");
            String origin = ex.getRequestHeaders().getFirst("Origin");
            if (host == null || !hosts.contains(host.toLowerCase(java.util.Locale.ROOT))) {
                drainAndSend(ex, 403, "text/plain", "forbidden: this server answers only to 127.0.0.1 and localhost (Host: " + host + ")");
                return;
            }
            if (origin != null && !origins.contains(origin.toLowerCase(java.util.Locale.ROOT))) {
                drainAndSend(ex, 403, "text/plain", "forbidden: requests from " + origin + " are refused");
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (method.equals("GET") || method.equals("HEAD")) {
                get(ex, path);
            } else if (method.equals("POST") && path.startsWith("/api/")) {
                post(ex, path.substring("/api/".length()));
            } else {
                drainAndSend(ex, 405, "text/plain", "method not allowed");
            }
        } catch (IOException e) {
            // the browser went away; nothing to answer
        } catch (RuntimeException e) {
            try {
                sendJson(ex, 500, error("internal error: " + e + " (please report this with the input that caused it)"));
            } catch (IOException | RuntimeException ignored) {
                // headers already sent
            }
        }
    }

    private void get(HttpExchange ex, String path) throws IOException {
        if (path.equals("/") || path.equals("/index.html")) {
            resource(ex, WEB + "index.html");
        } else if (path.equals("/api/start")) {
            sendJson(ex, 200, start());
        } else if (path.equals("/api/example")) {
            String id = query(ex.getRequestURI()).getOrDefault("id", List.of("")).get(0);
            for (List<String> e : EXAMPLES_MENU) {
                if (e.get(0).equals(id)) {
                    resource(ex, EXAMPLES + e.get(2));
                    return;
                }
            }
            sendJson(ex, 404, error("no example named '" + id + "'"));
        } else if (path.startsWith("/static/") && RESOURCE.matcher(path.substring(8)).matches()) {
            resource(ex, WEB + path.substring(8));
        } else if (path.startsWith("/katex/") && RESOURCE.matcher(path.substring(7)).matches()) {
            resource(ex, KATEX + path.substring(7));
        } else {
            send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** What the page needs to start: the file given (read now, the only file ever read), the examples, the tools installed. */
    private Map<String, Object> start() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (config.file() != null) {
            out.put("file", config.file().toString());
            try {
                if (Files.size(config.file()) > config.maxInput()) {
                    out.put("text", "");
                    out.put("error", config.file() + ": more than " + config.maxInput() + " bytes; raise the limit with --max-input");
                } else {
                    out.put("text", decode(Files.readAllBytes(config.file())));
                }
            } catch (NoSuchFileException e) {
                out.put("text", "");
                out.put("note", config.file() + " does not exist yet; Save creates it");
            } catch (CharacterCodingException e) {
                out.put("text", "");
                out.put("error", config.file() + ": not a text file (not valid UTF-8)");
            } catch (IOException e) {
                out.put("text", "");
                out.put("error", config.file() + ": cannot read: " + e.getMessage());
            }
        }
        List<Object> examples = new ArrayList<>();
        for (List<String> e : EXAMPLES_MENU) {
            examples.add(Map.of("id", e.get(0), "title", e.get(1), "file", e.get(2)));
        }
        out.put("examples", examples);
        out.put("pdflatex", Exports.pdflatex() != null);
        out.put("maxInput", config.maxInput());
        return out;
    }

    private void post(HttpExchange ex, String action) throws IOException {
        Map<String, List<String>> q = query(ex.getRequestURI());
        byte[] body = readBody(ex);
        if (body == null) {
            Source shown = new Source(name(), "");
            sendJson(ex, 413, Analysis.failure(new DiagnosticException(Diagnostic.error(shown, 1, 1, 1,
                    "input too large: more than " + config.maxInput() + " bytes; raise the limit with --max-input"))));
            return;
        }
        String text;
        try {
            text = decode(body);
        } catch (CharacterCodingException e) {
            sendJson(ex, 400, error("the text is not valid UTF-8"));
            return;
        }
        Analysis.Request request;
        try {
            request = request(q, text);
        } catch (IllegalArgumentException e) {
            sendJson(ex, 400, error(e.getMessage()));
            return;
        }
        try {
            switch (action) {
                case "analyze" -> sendJson(ex, 200, work.run(() -> Analysis.of(request, limits,
                        q.getOrDefault("part", List.of("all")).get(0))));
                case "latex" -> sendText(ex, "application/x-tex", work.run(() -> Exports.latex(Analysis.load(request, limits),
                        request.wrt(), request.notation())));
                case "pdf" -> {
                    byte[] pdf = work.run(() -> Exports.pdf(Exports.latex(Analysis.load(request, limits), request.wrt(), request.notation())));
                    send(ex, 200, "application/pdf", pdf);
                }
                case "code" -> sendText(ex, "text/plain", work.run(() -> Exports.code(Analysis.load(request, limits),
                        q.getOrDefault("lang", List.of("python")).get(0))));
                case "nn" -> sendText(ex, "text/plain", work.run(() -> Exports.withValues(Analysis.load(request, limits))));
                case "save" -> sendJson(ex, 200, save(request));
                default -> sendJson(ex, 404, error("no such action: " + action));
            }
        } catch (Work.Failure f) {
            if (f.getCause() == null && f.status() == 422 && action.equals("analyze")) {
                sendJson(ex, 200, failureAtStart(f.getMessage()));
            } else {
                sendJson(ex, f.status(), error(f.getMessage()));
            }
        }
    }

    /** A failure with no position in the text (too deep to process, out of memory) shown as a diagnostic at 1:1. */
    private Map<String, Object> failureAtStart(String message) {
        Map<String, Object> out = error(message);
        out.put("diagnostics", List.of(Map.of("line", 1, "column", 1, "length", 1, "message", message,
                "header", name() + ":1:1: error: " + message, "rendered", name() + ":1:1: error: " + message + "\n")));
        return out;
    }

    /** Save: the text with the sliders' values written in, or as typed when it does not parse. Only the file given. */
    private Map<String, Object> save(Analysis.Request request) throws Work.Failure {
        if (config.file() == null) {
            throw new Work.Failure(409, "no file to save to: start the playground with one (chainrule serve FILE)");
        }
        String text = work.run(() -> {
            try {
                return Exports.withValues(Analysis.load(request, limits));
            } catch (DiagnosticException e) {
                return request.text();
            }
        });
        Path target = config.file().toAbsolutePath();
        try {
            Path temp = Files.createTempFile(target.getParent(), ".chainrule-save", ".tmp");
            try {
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new Work.Failure(500, config.file() + ": cannot write: " + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("saved", config.file().toString());
        out.put("text", text);
        return out;
    }

    private String name() {
        return config.file() == null ? "playground.nn" : config.file().getFileName().toString();
    }

    /** The request's parameters: {@code wrt}, {@code notation}, {@code set=NAME=VALUE} (repeatable), {@code random=SEED}. */
    private Analysis.Request request(Map<String, List<String>> q, String text) {
        Map<String, Double> sets = new LinkedHashMap<>();
        for (String s : q.getOrDefault("set", List.of())) {
            int eq = s.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("set needs NAME=VALUE, got '" + s + "'");
            }
            double v;
            try {
                v = Double.parseDouble(s.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("set " + s.substring(0, eq) + ": not a number");
            }
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("set " + s.substring(0, eq) + ": not a finite number");
            }
            sets.put(s.substring(0, eq), v);
        }
        Long seed = null;
        if (q.containsKey("random")) {
            try {
                seed = Long.parseLong(q.get("random").get(0));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("random needs an integer seed");
            }
        }
        String notation = q.getOrDefault("notation", List.of("default")).get(0);
        String wrt = q.containsKey("wrt") ? q.get("wrt").get(0) : null;
        // Without a file, the page may name its text (the example it came from) for diagnostics and downloads.
        String name = name();
        String asked = q.containsKey("name") ? q.get("name").get(0) : "";
        if (config.file() == null && NAME.matcher(asked).matches()) {
            name = asked;
        }
        return new Analysis.Request(name, text, wrt, sets, seed, notation.equals("book") ? Notation.BOOK : Notation.DEFAULT);
    }

    /**
     * The body, or null when it passes {@code --max-input}. A larger body is read to its end (up to
     * a bound) and discarded, so the client sees the error instead of a reset connection.
     */
    private byte[] readBody(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        byte[] bytes = in.readNBytes(config.maxInput() + 1);
        if (bytes.length <= config.maxInput()) {
            return bytes;
        }
        drain(in);
        return null;
    }

    /** Reads and discards what is left of a body, up to 64 MiB (then the connection is simply closed). */
    private static void drain(InputStream in) throws IOException {
        long drained = 0;
        byte[] sink = new byte[1 << 16];
        for (int n; drained < 64L << 20 && (n = in.read(sink)) >= 0; ) {
            drained += n;
        }
    }

    private static String decode(byte[] bytes) throws CharacterCodingException {
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static Map<String, List<String>> query(URI uri) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", false);
        out.put("error", message);
        return out;
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "woff2", "font/woff2", "nn", "text/plain; charset=utf-8", "png", "image/png", "svg", "image/svg+xml");

    private void resource(HttpExchange ex, String name) throws IOException {
        try (InputStream in = PlaygroundServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String ext = name.substring(name.lastIndexOf('.') + 1);
            if (!name.startsWith(EXAMPLES)) {
                ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
            }
            send(ex, 200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
        }
    }

    private static void sendJson(HttpExchange ex, int status, Map<String, Object> body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(HttpExchange ex, String type, String text) throws IOException {
        send(ex, 200, type + "; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void drainAndSend(HttpExchange ex, int status, String type, String text) throws IOException {
        if (ex.getRequestHeaders().containsKey("Content-Length") || ex.getRequestHeaders().containsKey("Transfer-Encoding")) {
            drain(ex.getRequestBody());
        }
        send(ex, status, type + "; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
