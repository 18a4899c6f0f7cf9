package chainrule.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground's server against what a hostile page, file or local client sends it: work that
 * does not tie up the server (ordered by latches, never by timing), DNS rebinding and ambiguous
 * requests, unknown names in the query, slow and oversized requests, path traversal, wrong methods.
 * Requests that a browser or {@link HttpClient} would not send are written to a socket as bytes.
 */
// the playground's caches are static: tests that count or clear them do not run beside others using them
@org.junit.jupiter.api.parallel.ResourceLock("chainrule.serve caches")
class PlaygroundServerHardeningTest {
    @TempDir
    Path dir;

    private PlaygroundServer server;
    private Path file;
    private final HttpClient client = HttpClient.newHttpClient();
    private final CountDownLatch release = new CountDownLatch(1);

    private PlaygroundServer start(int workers, long timeoutMillis, long maxVertices) throws IOException {
        file = dir.resolve("net.nn");
        Files.copy(Path.of("examples", "mazur.nn"), file);
        server = PlaygroundServer.start(new PlaygroundServer.Config(file, 0, 1000, 1 << 20, maxVertices, timeoutMillis, workers));
        return server;
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).timeout(java.time.Duration.ofSeconds(120));
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return client.sendAsync(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return postAsync(path, body).get();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Holds every computation at its start until {@link #release}, deaf to interrupts as the
     * library's computations are (they have no cancellation points).
     */
    private void holdComputations(CountDownLatch started) {
        server.work().onStart(() -> {
            started.countDown();
            awaitRelease();
        });
    }

    private void awaitRelease() {
        boolean interrupted = false;
        while (true) {
            try {
                release.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** 100,000 brackets deep: the parser's --max-nesting refuses it. */
    private static String deepNesting() {
        return "input x = 1\nweight w = 2\nloss E = " + "(".repeat(100_000) + "w*x" + ")".repeat(100_000) + "\n";
    }

    /** 250,000 weight elements, over the server's --max-vertices of 100,000 in these tests. */
    private static String hugeNetwork() {
        return "input x[500] = 0.5\nweight W[500,500] = 0.01\nloss E = sum(W @ x)\n";
    }

    @Test
    void computationsInFlightDoNotHoldUpPagesFilesOrHealth() throws Exception {
        start(2, 120_000, 100_000);
        CountDownLatch started = new CountDownLatch(2);
        holdComputations(started);
        // Both workers held by pathological requests, and the queue filled behind them: more than
        // the JDK server's old 8 HTTP threads would have survived.
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        slow.add(postAsync("/api/analyze", deepNesting()));
        slow.add(postAsync("/api/analyze", hugeNetwork()));
        assertTrue(started.await(60, TimeUnit.SECONDS), "both workers started");
        int queue = PlaygroundServer.QUEUED_PER_WORKER * 2;
        for (int i = 0; i < queue; i++) {
            slow.add(postAsync("/api/analyze", i % 2 == 0 ? deepNesting() : hugeNetwork()));
        }
        while (server.work().queued() < queue) {
            Thread.sleep(5); // until the queued ones reached the server (no threshold: they arrive or the test times out)
        }
        // one more computation is refused at once, not queued without bound
        HttpResponse<String> busy = post("/api/analyze", Files.readString(file));
        assertEquals(503, busy.statusCode(), busy.body());
        assertTrue(busy.body().contains("busy"), busy.body());
        // meanwhile everything that needs no computation is answered, many at once
        List<CompletableFuture<HttpResponse<String>>> normal = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String path = List.of("/health", "/", "/static/app.js", "/katex/katex.min.js", "/api/start", "/api/example?id=mazur").get(i % 6);
            normal.add(client.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var r : normal) {
            assertEquals(200, r.get().statusCode(), r.get().uri().toString());
        }
        assertTrue(get("/health").body().startsWith("ok: 2 computing, " + queue + " waiting"), get("/health").body());
        for (var s : slow) {
            assertFalse(s.isDone(), "the pathological requests are still in flight");
        }
        release.countDown();
        // each pathological request ends in an error message, none in a hang
        for (int i = 0; i < slow.size(); i++) {
            HttpResponse<String> r = slow.get(i).get();
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("{\"ok\": false"), r.body());
            assertTrue(r.body().contains(i % 2 == 0 ? "nested" : "vertices"), r.body());
        }
        HttpResponse<String> ok = post("/api/analyze", Files.readString(file));
        assertTrue(ok.body().startsWith("{\"ok\": true"), ok.body());
    }

    @Test
    void aSecondWorkerAnswersWhileOneComputationIsHeld() throws Exception {
        start(2, 120_000, 100_000);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch once = new CountDownLatch(1);
        server.work().onStart(() -> {
            if (once.getCount() == 1) {
                once.countDown();
                started.countDown();
                awaitRelease();
            }
        });
        CompletableFuture<HttpResponse<String>> slow = postAsync("/api/analyze", hugeNetwork());
        assertTrue(started.await(60, TimeUnit.SECONDS));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = post("/api/analyze?wrt=w" + (i + 1), Files.readString(file));
            assertTrue(r.body().contains("\"wrt\": \"w" + (i + 1) + "\""), r.body());
        }
        assertFalse(slow.isDone());
        release.countDown();
        assertTrue(slow.get().body().contains("vertices"), slow.get().body());
    }

    @Test
    void aComputationPastItsTimeoutIsAnsweredAndAbandonedAndTheServerGoesOn() throws Exception {
        start(1, 1_500, 100_000);
        assertTrue(post("/api/analyze", Files.readString(file)).body().startsWith("{\"ok\": true")); // warm
        CountDownLatch started = new CountDownLatch(1);
        holdComputations(started);
        CompletableFuture<HttpResponse<String>> slow = postAsync("/api/analyze", hugeNetwork());
        assertTrue(started.await(60, TimeUnit.SECONDS));
        HttpResponse<String> r = slow.get(); // answered while the computation is still held
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("took longer than 1.5 s and was abandoned; make the network smaller or raise --timeout"), r.body());
        assertEquals(1, server.work().running(), "the abandoned computation still holds its worker");
        // with the only worker held, a new computation waits in the queue and is removed at its own deadline
        HttpResponse<String> queued = post("/api/analyze", Files.readString(file));
        assertEquals(503, queued.statusCode(), queued.body());
        assertEquals(0, server.work().queued());
        assertEquals(200, get("/health").statusCode());
        server.work().onStart(() -> {});
        release.countDown();
        while (server.work().running() > 0) {
            Thread.sleep(5);
        }
        HttpResponse<String> ok = post("/api/analyze", Files.readString(file));
        assertTrue(ok.body().startsWith("{\"ok\": true"), ok.body());
    }

    @Test
    void anAbandonedComputationStopsAtItsNextCancellationPointAndFreesItsWorker() throws Exception {
        start(1, 1_000, 100_000);
        CountDownLatch started = new CountDownLatch(1);
        // a computation that never ends on its own: it makes expression nodes until it is stopped,
        // as differentiation, simplification and expansion do (before cancellation points it held
        // its worker for good)
        server.work().onStart(() -> {
            started.countDown();
            for (long i = 0; ; i++) {
                chainrule.expr.Exprs.num(1e6 + i);
            }
        });
        HttpResponse<String> r = post("/api/analyze", Files.readString(file));
        assertTrue(started.await(60, TimeUnit.SECONDS));
        assertEquals(503, r.statusCode(), r.body());
        server.work().onStart(() -> {});
        awaitIdle();
        assertTrue(get("/health").body().startsWith("ok: 0 computing"));
        HttpResponse<String> ok = post("/api/analyze", Files.readString(file));
        assertTrue(ok.body().startsWith("{\"ok\": true"), ok.body());
    }

    @Test
    void aDeepFormulaPastItsTimeoutInAnalyzeAndLatexAtOnceFreesBothWorkers() throws Exception {
        start(2, 1_000, 100_000);
        // 990 nested sines: 4 KB, under --max-nesting, but minutes of work to print in full
        String deep = "weight w = 0.5\nloss L = " + "sin(".repeat(990) + "w" + ")".repeat(990) + "\n";
        CompletableFuture<HttpResponse<String>> analyze = postAsync("/api/analyze", deep);
        CompletableFuture<HttpResponse<String>> latex = postAsync("/api/latex", deep);
        for (HttpResponse<String> r : List.of(analyze.get(), latex.get())) {
            assertTrue(r.statusCode() == 503 || r.statusCode() == 422, r.statusCode() + " " + r.body());
        }
        awaitIdle();
        HttpResponse<String> ok = post("/api/analyze", Files.readString(file));
        assertTrue(ok.body().startsWith("{\"ok\": true"), ok.body());
    }

    /** Waits, with a patience of a minute, until no computation holds a worker (abandoned ones included). */
    private void awaitIdle() throws Exception {
        for (int i = 0; i < 6000 && server.work().running() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, server.work().running(), "an abandoned computation still holds its worker");
    }

    @Test
    void anAbandonedPdfLeavesNoPdflatexRunning() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Exports.pdflatex() != null, "pdflatex is not installed");
        start(1, 200, 100_000);
        HttpResponse<String> r = post("/api/pdf", Files.readString(file));
        assertEquals(503, r.statusCode(), r.body()); // pdflatex takes longer than 0.2 s
        while (server.work().running() > 0) {
            Thread.sleep(5);
        }
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
            String command = child.info().command().orElse("");
            assertFalse(command.contains("tex") && child.isAlive(), command); // pdflatex runs as pdftex
        }
    }

    // ---- DNS rebinding and ambiguous requests ----

    /** Sends {@code request} as bytes and returns the status code of the answer (-1: the connection was closed unanswered). */
    private int raw(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
                line.write(b);
            }
            String status = line.toString(StandardCharsets.ISO_8859_1);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : -1;
        } catch (java.net.SocketException e) {
            return -1;
        }
    }

    @Test
    void onlyRequestsThatNameThisServerAloneAreAnswered() throws Exception {
        start(2, 60_000, 100_000);
        int port = server.port();
        String host = "Host: 127.0.0.1:" + port + "\r\n";
        assertEquals(200, raw("GET /health HTTP/1.1\r\n" + host + "\r\n"));
        assertEquals(200, raw("GET /health HTTP/1.1\r\nHost: LOCALHOST:" + port + "\r\nOrigin: http://localhost:" + port + "\r\n\r\n"));
        assertEquals(200, raw("GET /health HTTP/1.1\r\n" + host + "Origin: http://127.0.0.1:" + port + "\r\n\r\n"));
        assertEquals(200, raw("GET /api/start HTTP/1.1\r\n" + host + "Sec-Fetch-Site: same-origin\r\n\r\n"));
        assertEquals(200, raw("GET / HTTP/1.1\r\n" + host + "Sec-Fetch-Site: none\r\n\r\n"));
        List<String> refused = List.of(
                // two Host headers, the same or different, in either order or case
                "GET /health HTTP/1.1\r\n" + host + host + "\r\n",
                "GET /health HTTP/1.1\r\n" + host + "Host: evil.example\r\n\r\n",
                "GET /health HTTP/1.1\r\nhost: evil.example\r\n" + host + "\r\n",
                // a rebound name, another port, no port, a trailing dot, a list
                "GET /health HTTP/1.1\r\nHost: evil.example:" + port + "\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + (port == 65535 ? 1 : port + 1) + "\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: localhost.:" + port + "\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port + ", evil.example\r\n\r\n",
                "GET /health HTTP/1.0\r\n\r\n",
                // Origin and Host disagreeing, a foreign or opaque Origin, two Origins
                "GET /health HTTP/1.1\r\n" + host + "Origin: http://localhost:" + port + "\r\n\r\n",
                "GET /health HTTP/1.1\r\n" + host + "Origin: https://127.0.0.1:" + port + "\r\n\r\n",
                "GET /health HTTP/1.1\r\n" + host + "Origin: http://evil.example\r\n\r\n",
                "GET /health HTTP/1.1\r\n" + host + "Origin: null\r\n\r\n",
                "GET /health HTTP/1.1\r\n" + host + "Origin: http://127.0.0.1:" + port + "\r\nOrigin: http://evil.example\r\n\r\n",
                // a browser saying another site asked (an <img> or a form: no Origin on a GET)
                "GET /api/start HTTP/1.1\r\n" + host + "Sec-Fetch-Site: cross-site\r\n\r\n",
                "GET /api/start HTTP/1.1\r\n" + host + "Sec-Fetch-Site: same-site\r\n\r\n",
                // an absolute request target naming another server
                "GET http://evil.example/health HTTP/1.1\r\n" + host + "\r\n",
                // a body whose length is ambiguous
                "POST /api/analyze HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
                "POST /api/analyze HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                // and a Save from a cross-site form
                "POST /api/save HTTP/1.1\r\n" + host + "Origin: http://evil.example\r\nContent-Length: 12\r\n\r\ninput x = 1\n");
        for (String r : refused) {
            int status = raw(r);
            assertTrue(status >= 400 && status < 500, status + " for\n" + r);
        }
        assertEquals(Files.readString(Path.of("examples", "mazur.nn")), Files.readString(file), "nothing saved");
        assertEquals(200, raw("GET /health HTTP/1.1\r\n" + host + "\r\n"));
    }

    // ---- names in the query ----

    private static String cliError(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(1, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("chainrule: error: "), text);
        return text.substring("chainrule: error: ".length()).strip();
    }

    /** The {@code error} of a JSON answer (messages hold no quotes or backslashes here). */
    private static String error(String json) {
        int at = json.indexOf("\"error\": \"");
        assertTrue(at >= 0, json);
        int from = at + "\"error\": \"".length();
        return json.substring(from, json.indexOf('"', from));
    }

    @Test
    void unknownSetAndWrtNamesAreErrorsWithTheCliMessage() throws Exception {
        start(2, 60_000, 2_000_000);
        String text = Files.readString(file);
        String path = file.toString();
        // the CLI's messages, for the file the CLI names by its path and the server by its name
        List<List<String>> cases = List.of(
                List.of("set=w9%3D1", "grad", path, "--set", "w9=1"),
                List.of("set=W1%3D1", "grad", path, "--set", "W1=1"),
                List.of("set=net_h1%3D1", "grad", path, "--set", "net_h1=1"),
                List.of("wrt=W1", "paths", path, "--wrt", "W1"),
                List.of("wrt=w9", "paths", path, "--wrt", "w9"),
                List.of("wrt=i1", "paths", path, "--wrt", "i1"),
                List.of("wrt=out_h1", "paths", path, "--wrt", "out_h1"));
        for (List<String> c : cases) {
            String expected = cliError(c.subList(1, c.size()).toArray(String[]::new)).replace(path, "net.nn");
            HttpResponse<String> r = post("/api/analyze?" + c.get(0), text);
            assertEquals(422, r.statusCode(), r.body());
            assertEquals(expected, error(r.body()), c.get(0));
            assertTrue(r.body().contains("\"option\": \"" + c.get(0).substring(0, 3) + "\""), r.body());
            for (String download : List.of("/api/latex?", "/api/nn?")) {
                if (download.equals("/api/nn?") && c.get(0).startsWith("wrt")) {
                    continue; // the .nn file follows no parameter
                }
                HttpResponse<String> d = post(download + c.get(0), text);
                assertEquals(422, d.statusCode(), download + c.get(0) + ": " + d.body());
                assertEquals(expected, error(d.body()));
            }
        }
        assertTrue(cliError("grad", path, "--set", "W1=1").endsWith("did you mean 'w1'?"), "the messages have suggestions");
        // a vector's element is a name the server takes, as the CLI does
        Path vector = dir.resolve("vector.nn");
        Files.copy(Path.of("examples", "mazur-vector.nn"), vector);
        HttpResponse<String> element = post("/api/analyze?set=W1%5B1%2C2%5D%3D0.5&wrt=W1%5B1%2C2%5D", Files.readString(vector));
        assertTrue(element.body().startsWith("{\"ok\": true"), element.body());
        HttpResponse<String> wholeVector = post("/api/analyze?set=W1%3D0.5", Files.readString(vector));
        assertEquals(422, wholeVector.statusCode());
        assertTrue(error(wholeVector.body()).contains("'W1' is a vector"), wholeVector.body());
        // a text with errors: its diagnostics come first, as in the CLI
        HttpResponse<String> broken = post("/api/analyze?set=w9%3D1", "loss E = x +\n");
        assertTrue(broken.body().contains("\"diagnostics\": [{"), broken.body());
    }

    @Test
    void unknownOrRepeatedQueryParametersAreRefused() throws Exception {
        start(2, 60_000, 2_000_000);
        String text = Files.readString(file);
        HttpResponse<String> typo = post("/api/analyze?sett=w1%3D1", text);
        assertEquals(400, typo.statusCode());
        assertTrue(error(typo.body()).startsWith("unknown parameter 'sett'; did you mean 'set'?"), typo.body());
        assertEquals(400, post("/api/analyze?wrt=w1&wrt=w2", text).statusCode());
        assertEquals(400, post("/api/analyze?set=w1%3D1&set=w1%3D2", text).statusCode());
        assertEquals(400, post("/api/analyze?notation=bok", text).statusCode());
        assertEquals(400, post("/api/analyze?set=w1%3Dnan", text).statusCode());
        assertEquals(400, post("/api/analyze?random=x", text).statusCode());
        assertEquals(400, raw("POST /api/analyze?set=%zz HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nContent-Length: 0\r\n\r\n"));
    }

    // ---- what else a hostile client tries ----

    @Test
    void bodiesOverTheLimitOrNotUtf8AreRefusedAndSaveWritesNothing() throws Exception {
        start(2, 60_000, 2_000_000);
        String before = Files.readString(file);
        HttpResponse<String> big = post("/api/save", "# " + "x".repeat(1 << 20) + "\n");
        assertEquals(413, big.statusCode());
        assertEquals(before, Files.readString(file));
        HttpResponse<String> binary = client.send(request("/api/save").POST(HttpRequest.BodyPublishers.ofByteArray(
                new byte[] {'i', 'n', (byte) 0xC3, (byte) 0x28, '\n'})).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, binary.statusCode());
        assertTrue(binary.body().contains("not valid UTF-8"), binary.body());
        assertEquals(before, Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void wrongMethodsAreRefusedWithWhatIsAllowed() throws Exception {
        start(2, 60_000, 2_000_000);
        HttpResponse<String> getAction = get("/api/analyze");
        assertEquals(405, getAction.statusCode());
        assertEquals("POST", getAction.headers().firstValue("Allow").orElseThrow());
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS")) {
            HttpResponse<String> r = client.send(request("/").method(method, HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode(), method);
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
        }
        assertEquals(405, post("/api/start", "").statusCode());
        assertEquals(404, post("/api/delete", "").statusCode());
        assertEquals(Files.readString(Path.of("examples", "mazur.nn")), Files.readString(file));
    }

    @Test
    void staticPathsCannotLeaveThePagesFiles() throws Exception {
        start(2, 60_000, 2_000_000);
        int port = server.port();
        for (String path : List.of("/static/%2e%2e/%2e%2e/cli/Main.class", "/static/..%5c..%5ccli%5cMain.class", "/static//app.js",
                "/static/app.js%00.png", "/katex/./katex.min.js", "/static/../web/app.js", "/static/%2fetc%2fpasswd",
                "/example?id=../../cli/Main", "/api/example?id=..%2F..%2Fcli%2FMain")) {
            int status = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
            assertTrue(status == 404 || status == 400, status + " for " + path);
        }
        assertEquals(200, get("/static/app.js").statusCode());
    }

    @Test
    void slowAndIdleConnectionsBeyondTheOldThreadCountDoNotStarveThePage() throws Exception {
        start(2, 60_000, 2_000_000);
        List<Socket> stuck = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                String partial = switch (i % 3) {
                    case 0 -> "GET /health HTTP/1.1\r\nX-Slow: "; // headers never finished
                    case 1 -> "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nContent-Length: 100000\r\n\r\nin";
                    default -> ""; // connected, nothing sent
                };
                s.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stuck.add(s);
            }
            assertEquals(200, get("/health").statusCode());
            assertTrue(post("/api/analyze", Files.readString(file)).body().startsWith("{\"ok\": true"));
        } finally {
            for (Socket s : stuck) {
                s.close();
            }
        }
    }

    @Test
    void manyConcurrentComputationsAreEachAnsweredOrRefusedAsBusy() throws Exception {
        start(2, 60_000, 2_000_000);
        String text = Files.readString(file);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            all.add(postAsync("/api/analyze?wrt=w" + (i % 8 + 1) + "&set=i1%3D0." + (i % 9 + 1), text));
        }
        int answered = 0;
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<String> r = all.get(i).get();
            if (r.statusCode() == 503) {
                assertTrue(r.body().contains("busy"), r.body());
                continue;
            }
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"wrt\": \"w" + (i % 8 + 1) + "\""), r.body());
            answered++;
        }
        assertTrue(answered >= 2 * (1 + PlaygroundServer.QUEUED_PER_WORKER), "at least the pool and its queue were answered: " + answered);
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void aHugeHeaderOrTooManyHeadersCloseTheConnectionAndTheServerGoesOn() throws Exception {
        start(2, 60_000, 2_000_000);
        String host = "Host: 127.0.0.1:" + server.port() + "\r\n";
        int huge = raw("GET /health HTTP/1.1\r\n" + host + "X-Big: " + "a".repeat(4 << 20) + "\r\n\r\n");
        assertTrue(huge == -1 || (huge >= 400 && huge < 500), String.valueOf(huge));
        StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\n" + host);
        for (int i = 0; i < 5000; i++) {
            many.append("X-").append(i).append(": a\r\n");
        }
        int manyStatus = raw(many.append("\r\n").toString());
        assertTrue(manyStatus == -1 || (manyStatus >= 400 && manyStatus < 500), String.valueOf(manyStatus));
        assertEquals(200, get("/health").statusCode());
    }
}
