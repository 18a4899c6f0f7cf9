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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code chainrule serve}: the playground's HTTP server, on the JDK's {@code com.sun.net.httpserver}
 * (see docs/design.md for why no framework). It serves the page and its files from the jar, and
 * answers the page's requests by the library calls the commands make ({@link Analysis},
 * {@link Exports}).
 *
 * <p>Safety (docs/playground.md, "Security model"): it listens on 127.0.0.1 only; every request
 * must name this server alone in one {@code Host} and, when a browser sends one, one equal
 * {@code Origin} (so a web page cannot reach it by DNS rebinding or a cross-site form), and
 * anything ambiguous is refused; query parameters and the names in {@code set}/{@code wrt} are
 * checked as the CLI checks its options ({@link RequestNames}); a body is limited to
 * {@code --max-input} bytes; computations never run on an HTTP thread but on {@link Work}'s bounded
 * pool, under the work limits and a deadline, and are answered from there, so pages and files are
 * served whatever is computing; the only file read or written is the one given, and it is written
 * only by Save. The server keeps no state between requests but the file's path, so concurrent
 * requests cannot interfere.
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

    /** Seconds a client may take to read one response (a client that stops reading holds an HTTP thread until then). */
    static final String RESPONSE_WRITE_SECONDS = "30";

    /** Threads that read requests and write answers (never computing: see {@link Work}). */
    static final int HTTP_THREADS = 256;

    static {
        // Without this the JDK's server waits forever for a half-sent request, and a few of them
        // (more than the HTTP threads) leave the page unanswered: drop such a connection after 5 s
        // (a body of --max-input bytes takes milliseconds over loopback), and one that does not read
        // its answer after 30 s. Values set with -D win. The JDK's own limits refuse a header over
        // 384 KiB or more than 200 headers, and a second Content-Length or one with Transfer-Encoding.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", REQUEST_READ_SECONDS);
        }
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
            System.setProperty("sun.net.httpserver.maxRspTime", RESPONSE_WRITE_SECONDS);
        }
    }

    /** Computations that may wait for a worker, per worker; more are answered "busy" at once. */
    static final int QUEUED_PER_WORKER = 8;

    /** What the server was started with. */
    public record Config(Path file, int port, int maxNesting, int maxInput, long maxVertices, long timeoutMillis, int workers) {}

    private final Config config;
    private final HttpServer http;
    private final ExecutorService io;
    private final Work work;
    private final Set<String> hosts;
    private final Analysis.Limits limits;

    private PlaygroundServer(Config config, HttpServer http, ExecutorService io) {
        this.config = config;
        this.http = http;
        this.io = io;
        this.work = new Work(config.workers(), QUEUED_PER_WORKER * config.workers(), config.timeoutMillis(), config.maxVertices());
        int port = http.getAddress().getPort();
        this.hosts = port == 80 ? Set.of("127.0.0.1:80", "localhost:80", "127.0.0.1", "localhost")
                : Set.of("127.0.0.1:" + port, "localhost:" + port);
        this.limits = new Analysis.Limits(config.maxNesting(), config.maxInput(), config.maxVertices());
    }

    /** Starts listening on 127.0.0.1 ({@code port} 0: any free port). */
    public static PlaygroundServer start(Config config) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 64);
        // The JDK's server reads a request's line, headers and body on these threads, so a client that
        // sends slowly holds one until the request read time drops it: many threads (made as needed,
        // ended when idle; they do no computing, see Work) keep the page answered meanwhile.
        ThreadPoolExecutor io = new ThreadPoolExecutor(HTTP_THREADS, HTTP_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "chainrule-serve-http");
            t.setDaemon(true);
            return t;
        });
        io.allowCoreThreadTimeOut(true);
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
        work.stop();
    }

    /** The computations (tests hold one to order requests around it). */
    Work work() { return work; }

    private void handle(HttpExchange ex) {
        boolean answered = true; // false: a computation answers later, on another thread
        try {
            Headers h = ex.getResponseHeaders();
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            h.set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                    + "img-src 'self' data: blob:; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
            String refused = refusal(ex);
            if (refused != null) {
                h.set("Connection", "close");
                drainAndSend(ex, refused.startsWith("forbidden") ? 403 : 400, "text/plain", refused);
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            boolean action = path.startsWith("/api/") && ACTIONS.contains(path.substring("/api/".length()));
            if (action) {
                if (!method.equals("POST")) {
                    h.set("Allow", "POST");
                    drainAndSend(ex, 405, "text/plain", "method not allowed: " + path + " takes POST");
                    return;
                }
                answered = post(ex, path.substring("/api/".length()));
            } else if (method.equals("GET") || method.equals("HEAD")) {
                get(ex, path);
            } else {
                h.set("Allow", "GET, HEAD");
                boolean unknown = path.startsWith("/api/") && !path.equals("/api/start") && !path.equals("/api/example");
                drainAndSend(ex, unknown ? 404 : 405, "text/plain",
                        unknown ? "no such action: " + printable(path) : "method not allowed: " + printable(path) + " takes GET");
            }
        } catch (IOException e) {
            // the browser went away; nothing to answer
        } catch (RuntimeException e) {
            internalError(ex, e);
        } finally {
            if (answered) {
                ex.close();
            }
        }
    }

    /** The actions a page posts its text to. */
    private static final Set<String> ACTIONS = Set.of("analyze", "latex", "pdf", "code", "nn", "save");

    /** The query parameters an action takes, and those of them that may be given only once. */
    private static final Set<String> PARAMETERS = Set.of("wrt", "notation", "set", "random", "name", "part", "lang");
    private static final Set<String> ONCE = Set.of("wrt", "notation", "random", "name", "part", "lang");

    private void internalError(HttpExchange ex, RuntimeException e) {
        try {
            sendJson(ex, 500, error("internal error: " + e + " (please report this with the input that caused it)"));
        } catch (IOException | RuntimeException ignored) {
            // headers already sent, or the browser went away
        }
    }

    /**
     * Null when the request names this server and nothing else, or why it is refused ("forbidden:
     * ..." for 403, otherwise 400). Against DNS rebinding: exactly one {@code Host}, and it is
     * {@code 127.0.0.1:PORT} or {@code localhost:PORT} (a name that resolves here by rebinding is
     * not). Against cross-site requests: {@code Origin} absent (not a browser, or a same-origin
     * GET) or exactly one, equal to {@code http://} and the {@code Host}. Anything ambiguous (a
     * second Host, Origin or Content-Length, a length with a transfer coding, an absolute
     * request target naming another authority) is refused rather than guessed at.
     */
    private String refusal(HttpExchange ex) {
        Headers in = ex.getRequestHeaders();
        List<String> host = in.get("Host");
        if (host == null || host.isEmpty()) {
            return "bad request: no Host header";
        }
        if (host.size() > 1) {
            return "bad request: " + host.size() + " Host headers; a request names one host";
        }
        String name = host.get(0).trim().toLowerCase(java.util.Locale.ROOT);
        if (!hosts.contains(name)) {
            return "forbidden: this server answers only to 127.0.0.1:" + port() + " and localhost:" + port() + " (Host: " + printable(host.get(0)) + ")";
        }
        List<String> origin = in.get("Origin");
        if (origin != null && origin.size() > 1) {
            return "bad request: " + origin.size() + " Origin headers";
        }
        if (origin != null && !origin.get(0).trim().toLowerCase(java.util.Locale.ROOT).equals("http://" + name)) {
            return "forbidden: requests from " + printable(origin.get(0)) + " are refused (this page is http://" + name + ")";
        }
        List<String> site = in.get("Sec-fetch-site");
        if (site != null && (site.size() > 1 || !Set.of("same-origin", "none").contains(site.get(0).trim().toLowerCase(java.util.Locale.ROOT)))) {
            // a browser saying the request comes from another site (an <img>, a form, a fetch), which
            // carries no Origin on a GET: nothing here is for other sites, so refuse it too
            return "forbidden: requests from other sites are refused (Sec-Fetch-Site: " + printable(String.join(", ", site)) + ")";
        }
        URI uri = ex.getRequestURI();
        if (uri.getScheme() != null || uri.getRawAuthority() != null) {
            String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority().toLowerCase(java.util.Locale.ROOT);
            if (!"http".equalsIgnoreCase(uri.getScheme()) || !authority.equals(name)) {
                return "bad request: the request target names another server (" + printable(uri.toString()) + ")";
            }
        }
        List<String> length = in.get("Content-length");
        if (length != null && length.size() > 1) {
            return "bad request: " + length.size() + " Content-Length headers";
        }
        if (length != null && in.containsKey("Transfer-encoding")) {
            return "bad request: both Content-Length and Transfer-Encoding";
        }
        return null;
    }

    /** A header value as it may appear in a message: printable ASCII, cut at 100 characters. */
    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 100 ? t.substring(0, 100) + "..." : t;
    }

    private void get(HttpExchange ex, String path) throws IOException {
        if (path.equals("/") || path.equals("/index.html")) {
            resource(ex, WEB + "index.html");
        } else if (path.equals("/health")) {
            send(ex, 200, "text/plain; charset=utf-8", ("ok: " + work.running() + " computing, " + work.queued() + " waiting\n")
                    .getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/api/start")) {
            sendJson(ex, 200, start());
        } else if (path.equals("/api/example")) {
            String id;
            try {
                Map<String, List<String>> q = query(ex.getRequestURI());
                checkParameters(q, Set.of("id"), Set.of("id"));
                if (!q.containsKey("id")) {
                    throw new IllegalArgumentException("give the example as ?id=NAME");
                }
                id = q.get("id").get(0);
            } catch (IllegalArgumentException e) {
                sendJson(ex, 400, error("bad request: " + e.getMessage()));
                return;
            }
            for (List<String> e : EXAMPLES_MENU) {
                if (e.get(0).equals(id)) {
                    resource(ex, EXAMPLES + e.get(2));
                    return;
                }
            }
            sendJson(ex, 404, error("no example named '" + printable(id) + "'"));
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

    /**
     * One of the page's actions on its text. The body is read here (bounded by --max-input and the
     * request read time); the computation goes to {@link Work}, which answers on another thread.
     * Returns whether the answer was sent already (false: it will be).
     */
    private boolean post(HttpExchange ex, String action) throws IOException {
        Map<String, List<String>> q;
        try {
            q = query(ex.getRequestURI());
        } catch (IllegalArgumentException e) {
            drainAndSend(ex, 400, "application/json", Json.write(error("bad request: " + e.getMessage())));
            return true;
        }
        byte[] body = readBody(ex);
        if (body == null) {
            Source shown = new Source(name(), "");
            sendJson(ex, 413, Analysis.failure(new DiagnosticException(Diagnostic.error(shown, 1, 1, 1,
                    "input too large: more than " + config.maxInput() + " bytes; raise the limit with --max-input"))));
            return true;
        }
        String text;
        try {
            text = decode(body);
        } catch (CharacterCodingException e) {
            sendJson(ex, 400, error("the text is not valid UTF-8"));
            return true;
        }
        Analysis.Request request;
        try {
            request = request(q, text);
        } catch (IllegalArgumentException e) {
            sendJson(ex, 400, error(e.getMessage()));
            return true;
        }
        String part = q.getOrDefault("part", List.of("all")).get(0);
        switch (action) {
            case "analyze" -> later(ex, action, work.submit(() -> {
                boolean wrtMatters = !part.equals("flow");
                Map<String, Object> answer = Analysis.of(request, limits, part);
                if (!RequestNames.confirmedBy(answer, request, wrtMatters)) {
                    RequestNames.Problem p = RequestNames.check(Analysis.load(request, limits).network(), request, wrtMatters);
                    if (p != null) {
                        return p.json();
                    }
                }
                return answer;
            }), a -> sendJson(ex, a.containsKey("option") ? 422 : 200, a));
            case "latex" -> later(ex, action, work.submit(() -> Exports.latex(checked(request, true), request.wrt(), request.notation())),
                    t -> sendText(ex, "application/x-tex", t));
            case "pdf" -> later(ex, action, work.submit(() -> Exports.pdf(Exports.latex(checked(request, true), request.wrt(), request.notation()))),
                    pdf -> send(ex, 200, "application/pdf", pdf));
            case "code" -> later(ex, action, work.submit(() -> Exports.code(checked(request, false),
                    q.getOrDefault("lang", List.of("python")).get(0))), t -> sendText(ex, "text/plain", t));
            case "nn" -> later(ex, action, work.submit(() -> Exports.withValues(checked(request, false))),
                    t -> sendText(ex, "text/plain", t));
            case "save" -> {
                if (config.file() == null) {
                    sendJson(ex, 409, error("no file to save to: start the playground with one (chainrule serve FILE)"));
                    return true;
                }
                later(ex, action, work.submit(() -> {
                    try {
                        return Exports.withValues(checked(request, false));
                    } catch (DiagnosticException e) {
                        return request.text(); // saved as typed: the text is what counts
                    }
                }), saved -> sendJson(ex, 200, save(saved)));
            }
            default -> throw new IllegalStateException("no action " + action); // ACTIONS lists the cases above
        }
        return false;
    }

    /** The request's network, its {@code set} (and, where {@code wrtMatters}, {@code wrt}) names checked. */
    private Analysis.Loaded checked(Analysis.Request request, boolean wrtMatters) throws DiagnosticException, Work.Failure {
        Analysis.Loaded loaded = Analysis.load(request, limits);
        RequestNames.Problem p = RequestNames.check(loaded.network(), request, wrtMatters);
        if (p != null) {
            throw new Work.Failure(422, p.message());
        }
        return loaded;
    }

    /** How a computed value is sent. */
    private interface Answer<T> {
        void send(T value) throws IOException, Work.Failure;
    }

    /** Sends the computation's answer when it comes (on an HTTP thread), and closes the exchange. */
    private <T> void later(HttpExchange ex, String action, java.util.concurrent.CompletableFuture<T> result, Answer<T> answer) {
        result.whenCompleteAsync((value, error) -> {
            try {
                if (error == null) {
                    answer.send(value);
                } else {
                    Work.Failure f = error instanceof Work.Failure w ? w
                            : error.getCause() instanceof Work.Failure w ? w
                            : new Work.Failure(500, "internal error: " + error + " (please report this with the input that caused it)");
                    throw f;
                }
            } catch (Work.Failure f) {
                try {
                    if (f.status() == 422 && action.equals("analyze")) {
                        sendJson(ex, 200, failureAtStart(f.getMessage()));
                    } else {
                        sendJson(ex, f.status(), error(f.getMessage()));
                    }
                } catch (IOException e) {
                    // the browser went away
                }
            } catch (IOException e) {
                // the browser went away
            } catch (RuntimeException e) {
                internalError(ex, e);
            } finally {
                ex.close();
            }
        }, io);
    }

    /** A failure with no position in the text (too deep to process, out of memory) shown as a diagnostic at 1:1. */
    private Map<String, Object> failureAtStart(String message) {
        Map<String, Object> out = error(message);
        out.put("diagnostics", List.of(Map.of("line", 1, "column", 1, "length", 1, "message", message,
                "header", name() + ":1:1: error: " + message, "rendered", name() + ":1:1: error: " + message + "\n")));
        return out;
    }

    /** Save: writes {@code text} (the sliders' values written in, or as typed) to the file given, and only there. */
    private Map<String, Object> save(String text) throws Work.Failure {
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
        checkParameters(q, PARAMETERS, ONCE);
        String notationName = q.getOrDefault("notation", List.of("default")).get(0);
        if (!notationName.equals("default") && !notationName.equals("book")) {
            throw new IllegalArgumentException("notation must be default or book, not '" + printable(notationName) + "'");
        }
        String partName = q.getOrDefault("part", List.of("all")).get(0);
        if (!partName.equals("all") && !partName.equals("flow")) {
            throw new IllegalArgumentException("part must be all or flow, not '" + printable(partName) + "'");
        }
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
                throw new IllegalArgumentException("set " + printable(s.substring(0, eq)) + ": not a number");
            }
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("set " + printable(s.substring(0, eq)) + ": not a finite number");
            }
            if (sets.put(s.substring(0, eq), v) != null) {
                throw new IllegalArgumentException("set " + printable(s.substring(0, eq)) + " is given twice; give it once");
            }
        }
        Long seed = null;
        if (q.containsKey("random")) {
            try {
                seed = Long.parseLong(q.get("random").get(0));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("random needs an integer seed");
            }
        }
        String wrt = q.containsKey("wrt") ? q.get("wrt").get(0) : null;
        // Without a file, the page may name its text (the example it came from) for diagnostics and downloads.
        String name = name();
        String asked = q.containsKey("name") ? q.get("name").get(0) : "";
        if (config.file() == null && NAME.matcher(asked).matches()) {
            name = asked;
        }
        return new Analysis.Request(name, text, wrt, sets, seed, notationName.equals("book") ? Notation.BOOK : Notation.DEFAULT);
    }

    /** Refuses a parameter not in {@code known} (with a did-you-mean) and one of {@code once} given twice. */
    private static void checkParameters(Map<String, List<String>> q, Set<String> known, Set<String> once) {
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown parameter '" + printable(e.getKey()) + "'"
                        + chainrule.model.Suggestions.didYouMean(e.getKey(), known) + " (the parameters are "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
            if (e.getValue().size() > 1 && once.contains(e.getKey())) {
                throw new IllegalArgumentException("'" + printable(e.getKey()) + "' is given " + e.getValue().size() + " times; give it once");
            }
        }
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
