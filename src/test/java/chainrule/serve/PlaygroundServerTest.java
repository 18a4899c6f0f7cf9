package chainrule.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground's server without a browser: its answers against the CLI's (the same library
 * calls must give the same numbers), Save writing only the file given, the downloads, the static
 * files staying inside the jar's web directory, and concurrent requests.
 */
// the playground's caches are static: tests that count or clear them do not run beside others using them
@org.junit.jupiter.api.parallel.ResourceLock("chainrule.serve caches")
class PlaygroundServerTest {
    @TempDir
    static Path dir;

    private static PlaygroundServer server;
    private static Path file;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        file = dir.resolve("net.nn");
        Files.copy(Path.of("examples", "mazur.nn"), file);
        server = PlaygroundServer.start(new PlaygroundServer.Config(file, 0, 1000, 1 << 20, 2_000_000, 60_000, 2));
    }

    @Test
    void requestsThatNeverFinishSendingDoNotStarveThePage() throws Exception {
        // more half-sent bodies than the server has threads (a stuck or hostile local client):
        // each is dropped after the request read time, and the page is answered again
        List<java.net.Socket> stuck = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port());
                s.getOutputStream().write(("POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                        + "\r\nContent-Length: 100000\r\n\r\ninput").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stuck.add(s);
            }
            Thread.sleep(500);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url() + "api/start"))
                    .timeout(java.time.Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        } finally {
            for (java.net.Socket s : stuck) {
                s.close();
            }
        }
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), args);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The number after {@code "key": } in a JSON text (the server's JSON is flat enough for this). */
    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (-?[0-9.eE+-]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json.substring(0, Math.min(300, json.length())));
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theExampleRequestChecksItsParametersAsTheActionsDo() throws Exception {
        HttpResponse<String> misspelt = get("/api/example?idd=mazur");
        assertEquals(400, misspelt.statusCode(), misspelt.body());
        assertTrue(misspelt.body().contains("unknown parameter 'idd'; did you mean 'id'?"), misspelt.body());
        HttpResponse<String> twice = get("/api/example?id=mazur&id=hangul");
        assertEquals(400, twice.statusCode(), twice.body());
        assertTrue(twice.body().contains("'id' is given 2 times; give it once"), twice.body());
        assertEquals(400, get("/api/example").statusCode());
        assertEquals(404, get("/api/example?id=nosuch").statusCode());
        HttpResponse<String> mazur = get("/api/example?id=mazur");
        assertEquals(200, mazur.statusCode());
        assertEquals(Files.readString(Path.of("examples", "mazur.nn")), mazur.body());
    }

    @Test
    void concurrentRequestsEachGetGradsAnswer() throws Exception {
        String text = Files.readString(file);
        List<String> weights = List.of("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (String w : weights) {
                answers.add(pool.submit(() -> post("/api/analyze?wrt=" + w + "&set=i1%3D0.3", text).body()));
            }
            String grad = cli("grad", file.toString(), "--json", "--set", "i1=0.3");
            for (int k = 0; k < weights.size(); k++) {
                String json = answers.get(k).get();
                int formula = json.indexOf("\"formula\"");
                // the closed form's value (what paths prints) against reverse accumulation (grad): equal to rounding
                double expected = number(grad, weights.get(k));
                assertEquals(expected, number(json.substring(formula), "value"), 1e-13 * Math.abs(expected), weights.get(k));
                assertTrue(json.contains("\"wrt\": \"" + weights.get(k) + "\""), weights.get(k));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theNnDownloadHasTheSliderValuesAndGivesWhatGradGivesWithSet() throws Exception {
        String written = post("/api/nn?set=w5%3D0.9&set=b2%3D-0.25", Files.readString(file)).body();
        assertTrue(written.contains("w5 = 0.9"), written);
        assertTrue(written.contains("b2 = -0.25"), written);
        assertTrue(written.contains("# Matt Mazur's"), "comments are kept");
        Path copy = dir.resolve("downloaded.nn");
        Files.writeString(copy, written);
        assertEquals(cli("grad", file.toString(), "--set", "w5=0.9", "--set", "b2=-0.25"),
                cli("grad", copy.toString()));
    }

    @Test
    void saveWritesOnlyTheFileGiven() throws Exception {
        Path before = dir.resolve("untouched.nn");
        Files.writeString(before, "input x = 1\n");
        List<Path> listed;
        try (var files = Files.list(dir)) {
            listed = files.sorted().toList();
        }
        String text = Files.readString(file).replace("w1 = 0.15", "w1 = 0.2");
        HttpResponse<String> r = post("/api/save?set=w2%3D0.5", text);
        assertEquals(200, r.statusCode(), r.body());
        String saved = Files.readString(file);
        assertTrue(saved.contains("w1 = 0.2, w2 = 0.5"), saved);
        try (var files = Files.list(dir)) {
            assertEquals(listed, files.sorted().toList(), "no other file created");
        }
        assertEquals("input x = 1\n", Files.readString(before));
        Files.copy(Path.of("examples", "mazur.nn"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void downloadsAreWhatTheCommandsWrite() throws Exception {
        String text = Files.readString(file);
        String code = post("/api/code?lang=python", text).body();
        assertEquals(cli("codegen", file.toString(), "--lang", "python", "--main"), code);
        String tex = post("/api/latex?wrt=w1", text).body();
        assertTrue(tex.startsWith("\\documentclass"), tex);
        assertTrue(tex.contains("\\end{document}"));
        HttpResponse<String> broken = post("/api/latex", "loss E = x +\n");
        assertEquals(422, broken.statusCode());
        assertTrue(broken.body().contains("net.nn:"), broken.body());
    }

    @Test
    void onlyThePagesOwnFilesAreServed() throws Exception {
        assertEquals(200, get("/").statusCode());
        assertEquals(200, get("/katex/katex.min.js").statusCode());
        assertEquals(200, get("/katex/fonts/KaTeX_Main-Regular.woff2").statusCode());
        for (String path : List.of("/static/../../chainrule/cli/Main.class", "/static/..%2F..%2Fcli%2FMain.class",
                "/katex/../serve/PlaygroundServer.class", "/static/app.js/../../katex/LICENSE", "/etc/passwd")) {
            assertEquals(404, get(path).statusCode(), path);
        }
        HttpResponse<String> start = get("/api/start");
        assertTrue(start.body().contains("\"pdflatex\""));
        assertEquals("default-src 'self'", start.headers().firstValue("Content-Security-Policy").orElseThrow().split(";")[0]);
    }

    @Test
    void aBodyOverTheLimitIsRefusedAndTheServerKeepsAnswering() throws Exception {
        HttpResponse<String> big = post("/api/analyze", "x".repeat((1 << 20) + 1));
        assertEquals(413, big.statusCode());
        assertTrue(big.body().contains("input too large: more than 1048576 bytes"), big.body());
        HttpResponse<String> ok = post("/api/analyze", Files.readString(file));
        assertFalse(ok.body().startsWith("{\"ok\": false"), ok.body());
    }

    @Test
    void serveSaysWhenItsPortIsTaken() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "serve", "--port", String.valueOf(server.port()));
        assertEquals(1, status);
        assertEquals("chainrule: error: port " + server.port() + " on 127.0.0.1 is in use; choose another with --port N "
                + "(0 picks a free one)\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void layoutPutsEachVertexRightOfWhatItUses() throws Exception {
        var network = chainrule.model.Analyzer.analyze(new chainrule.diag.Source("m.nn", Files.readString(Path.of("examples", "mazur.nn"))));
        var graph = chainrule.paths.PathGraph.of(network);
        GraphLayout layout = GraphLayout.of(graph);
        for (var v : graph.vertices()) {
            for (var e : graph.outgoing(v)) {
                assertTrue(layout.layer(e.from()) < layout.layer(e.to()), e.toString());
            }
        }
        assertEquals(layout.layer(network.vertex("net_o1").orElseThrow()) - 1, layout.layer(network.vertex("w5").orElseThrow()));
        assertEquals(6, layout.layerCount());
    }
}
