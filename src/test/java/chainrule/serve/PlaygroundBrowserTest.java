package chainrule.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainrule.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground in a real browser: Debian's chromium, headless, driven by Selenium through
 * /usr/bin/chromedriver (never Selenium Manager: there is no network). One browser session for all
 * tests, in order, to keep the suite fast. Where chromium is missing the tests are skipped locally
 * and fail under CI=true, which installs it (.ci/run).
 *
 * <p>References are independent of the page: the CLI's own output ({@code grad --set w5=0.9}, the
 * diagnostic of the same text), and Mazur's paths from w1 written out by hand. Screenshots go to
 * target/playground/ (docs/playground.md uses them); edit-to-formula latencies go to
 * target/playground/latency.txt (docs/performance.md records them; nothing here asserts a time).
 */
// the playground's caches are static: tests that count or clear them do not run beside others using them
@org.junit.jupiter.api.parallel.ResourceLock("chainrule.serve caches")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlaygroundBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path OUT = Path.of("target", "playground");

    @TempDir
    static Path dir;

    private static PlaygroundServer server;
    private static WebDriver driver;
    private static Path mazur;
    private static final List<String> latencies = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but chromium/chromedriver are missing: .ci/run installs them");
            }
            Assumptions.abort("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        }
        mazur = dir.resolve("mazur.nn");
        Files.copy(Path.of("examples", "mazur.nn"), mazur);
        server = PlaygroundServer.start(new PlaygroundServer.Config(mazur, 0, 1000, 8 * 1024 * 1024, 2_000_000, 120_000, 2));
        Files.createDirectories(OUT);
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--window-size=1500,1100",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.stop();
        }
        if (!latencies.isEmpty()) {
            Files.write(OUT.resolve("latency.txt"), latencies, StandardCharsets.UTF_8);
        }
    }

    private static JavascriptExecutor js() { return (JavascriptExecutor) driver; }

    private static long version() {
        Object v = js().executeScript("return window.chainrule ? window.chainrule.version : 0;");
        return ((Number) v).longValue();
    }

    /** Waits until the page has shown an answer newer than {@code after} and has no request in flight. */
    private static void awaitUpdate(long after) {
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> version() > after
                && Boolean.FALSE.equals(js().executeScript("return window.chainrule.pending || window.chainrule.dirty;")));
    }

    private static void screenshot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(OUT.resolve(name + ".png"), png);
    }

    private static void setText(String text) {
        long before = version();
        js().executeScript("const ta = document.getElementById('source'); ta.value = arguments[0];"
                + "ta.dispatchEvent(new Event('input', {bubbles: true}));", text);
        awaitUpdate(before);
    }

    private static double lastLatency() {
        return ((Number) js().executeScript("return window.chainrule.lastLatency;")).doubleValue();
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void mazurShowsTheDerivativeOfW1TypesetByKatex() throws IOException {
        driver.get(server.url());
        awaitUpdate(0);
        WebElement formula = driver.findElement(By.cssSelector("#formula-main"));
        assertEquals("w1", formula.getAttribute("data-wrt"));
        // KaTeX renders HTML (.katex-html) and keeps the source in MathML's annotation.
        assertFalse(formula.findElements(By.cssSelector(".katex .katex-html")).isEmpty(), "KaTeX did not render");
        String source = (String) js().executeScript(
                "return document.querySelector('#formula-main annotation').textContent;");
        assertTrue(source.startsWith("\\frac{\\partial E}{\\partial w_{1}} = \\left(\\left(\\mathrm{out}_{o1} - t_{1}\\right)"), source);
        assertTrue(source.endsWith("\\cdot i_{1}"), source);
        assertTrue(formula.getText().contains("∂E"), formula.getText());
        // the value shown is the one paths prints for Mazur's network (his published 0.000438568)
        String value = driver.findElement(By.id("formula-value")).getAttribute("data-text");
        assertTrue(cli("paths", mazur.toString(), "--wrt", "w1").contains("= " + value), value);
        assertEquals(0.000438568, Double.parseDouble(value), 5e-10);
        screenshot("mazur");
    }

    @Test
    @Order(2)
    void clickingW1HighlightsExactlyItsTwoPaths() throws IOException {
        long before = version();
        // follow another parameter first, so the click on w1 is what selects it
        driver.findElement(By.cssSelector("#graph-svg g.node[data-name='w5']")).click();
        awaitUpdate(before);
        assertEquals(1, driver.findElements(By.cssSelector("#path-table tr.path-row")).size());
        before = version();
        driver.findElement(By.cssSelector("#graph-svg g.node[data-name='w1']")).click();
        awaitUpdate(before);
        List<WebElement> rows = driver.findElements(By.cssSelector("#path-table tr.path-row"));
        assertEquals(2, rows.size());
        // Mazur's two paths from w1, by hand: through out_h1 to each output.
        Set<String> expected = new TreeSet<>(List.of("w1>net_h1", "net_h1>out_h1", "out_h1>net_o1", "net_o1>out_o1",
                "out_o1>E", "out_h1>net_o2", "net_o2>out_o2", "out_o2>E"));
        Set<String> highlighted = new TreeSet<>();
        for (WebElement e : driver.findElements(By.cssSelector("#graph-svg path.edge.hl"))) {
            highlighted.add(e.getAttribute("data-from") + ">" + e.getAttribute("data-to"));
        }
        assertEquals(expected, highlighted);
        Set<String> inRows = new TreeSet<>();
        for (WebElement row : rows) {
            String nodes = row.getAttribute("data-nodes");
            List<String> names = List.of(nodes.substring(2, nodes.length() - 2).split("\",\""));
            for (int i = 0; i + 1 < names.size(); i++) {
                inRows.add(names.get(i) + ">" + names.get(i + 1));
            }
        }
        assertEquals(expected, inRows);
        // hovering an edge shows its factor: net_o1 → out_o1 is sigmoid's, written in the output
        WebElement edge = driver.findElement(By.cssSelector("#graph-svg path.edge[data-from='net_o1'][data-to='out_o1']"));
        new org.openqa.selenium.interactions.Actions(driver).moveToElement(edge).perform();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("tip")).isDisplayed());
        String tip = driver.findElement(By.id("tip")).getText();
        assertTrue(tip.startsWith("∂out_o1/∂net_o1 = out_o1·(1 - out_o1) = 0.186815601"), tip);
        assertTrue(tip.contains("(activation)"), tip);
        screenshot("w1-paths");
        new org.openqa.selenium.interactions.Actions(driver).moveToElement(driver.findElement(By.tagName("h1"))).perform();
    }

    @Test
    @Order(3)
    void aTypedErrorIsMarkedAtTheCliDiagnosticsLineAndColumn() throws IOException {
        String original = Files.readString(mazur);
        WebElement editor = driver.findElement(By.id("source"));
        long before = version();
        editor.click();
        editor.sendKeys(Keys.chord(Keys.CONTROL, Keys.END));
        editor.sendKeys("\nz = w1 +* 2");
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> version() > before
                && !d.findElements(By.cssSelector("#diagnostics li.diagnostic")).isEmpty()
                && Boolean.FALSE.equals(js().executeScript("return window.chainrule.pending || window.chainrule.dirty;")));
        String typed = (String) js().executeScript("return document.getElementById('source').value;");
        Path broken = dir.resolve("broken.nn");
        Files.writeString(broken, typed);
        String header = cli("grad", broken.toString()).lines().findFirst().orElseThrow();
        // FILE:LINE:COL: error: MESSAGE; the page names the file by its name, the CLI by its path
        String[] parts = header.substring(broken.toString().length() + 1).split(":", 3);
        WebElement shown = driver.findElement(By.cssSelector("#diagnostics li.diagnostic"));
        assertEquals(parts[0], shown.getAttribute("data-line"));
        assertEquals(parts[1], shown.getAttribute("data-column"));
        assertTrue(shown.getText().startsWith("mazur.nn:" + parts[0] + ":" + parts[1] + ":" + parts[2]), shown.getText());
        WebElement mark = driver.findElement(By.cssSelector("#backdrop mark.diag"));
        assertEquals(parts[0], mark.getAttribute("data-line"));
        assertEquals(parts[1], mark.getAttribute("data-column"));
        assertEquals(Integer.parseInt(parts[0]), driver.findElements(By.cssSelector("#gutter div")).indexOf(
                driver.findElement(By.cssSelector("#gutter div.error"))) + 1);
        screenshot("diagnostic");
        setText(original);
        assertTrue(driver.findElements(By.cssSelector("#diagnostics li")).isEmpty());
    }

    @Test
    @Order(4)
    void settingW5To09GivesWhatGradPrints() {
        String printed = cli("grad", mazur.toString(), "--wrt", "w1", "--set", "w5=0.9");
        List<String> lines = printed.lines().toList();
        int formula = 0;
        while (!lines.get(formula).startsWith("∂E/∂w1 = ")) {
            formula++;
        }
        String expected = lines.get(formula + 1).trim().substring(2);
        WebElement field = driver.findElement(By.cssSelector("#sliders input[type=number][data-name='w5']"));
        long before = version();
        field.clear();
        field.sendKeys("0.9");
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> version() > before
                && "0.9".equals(d.findElement(By.cssSelector("#sliders input[type=range][data-name='w5']")).getAttribute("value"))
                && Boolean.FALSE.equals(js().executeScript("return window.chainrule.pending || window.chainrule.dirty;")));
        WebElement value = driver.findElement(By.id("formula-value"));
        assertEquals(expected, value.getAttribute("data-text"));
        assertTrue(value.getText().contains(expected.substring(0, 8)), value.getText());
        latencies.add("mazur slider w5=0.9: " + Math.round(lastLatency()) + " ms");

        // Dragging the slider: the page updates while it moves, and the slider stays the same element.
        WebElement range = driver.findElement(By.cssSelector("#sliders input[type=range][data-name='w5']"));
        long beforeDrag = version();
        var drag = new org.openqa.selenium.interactions.Actions(driver).clickAndHold(range);
        for (int k = 0; k < 5; k++) {
            drag = drag.moveByOffset(-12, 0).pause(Duration.ofMillis(150));
        }
        drag.release().perform();
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> version() > beforeDrag
                && Boolean.FALSE.equals(js().executeScript("return window.chainrule.pending || window.chainrule.dirty;")));
        String dragged = range.getAttribute("value"); // a stale element would throw here
        assertFalse(dragged.equals("0.9"), "the drag moved the slider");
        String again = cli("grad", mazur.toString(), "--wrt", "w1", "--set", "w5=" + dragged);
        List<String> lines2 = again.lines().toList();
        int at = lines2.indexOf(lines2.stream().filter(l -> l.startsWith("∂E/∂w1 = ")).findFirst().orElseThrow());
        assertEquals(lines2.get(at + 1).trim().substring(2), driver.findElement(By.id("formula-value")).getAttribute("data-text"));

        // Renaming w5 in the text while its slider value is set and it is followed: the server refuses
        // the names it no longer declares (with the CLI's --set/--wrt messages), and the page drops
        // them and shows the edited network instead of an error.
        long beforeFollow = version();
        driver.findElement(By.cssSelector("#graph-svg g.node[data-name='w5']")).click();
        awaitUpdate(beforeFollow);
        assertEquals("w5", js().executeScript("return window.chainrule.wrt;"));
        String original = (String) js().executeScript("return document.getElementById('source').value;");
        setText(original.replace("w5", "w9"));
        assertEquals("true", js().executeScript("return document.body.dataset.ok;"));
        assertEquals(Boolean.FALSE, js().executeScript("return 'w5' in window.chainrule.sets;"));
        assertEquals("w1", js().executeScript("return window.chainrule.wrt;"), "the first parameter is followed again");
        assertFalse(driver.findElements(By.cssSelector("#sliders input[type=range][data-name='w9']")).isEmpty());
        setText(original);
        long beforeReset = version();
        driver.findElement(By.id("reset")).click();
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> version() > beforeReset
                && Boolean.FALSE.equals(js().executeScript("return window.chainrule.pending || window.chainrule.dirty;")));
    }

    @Test
    @Order(5)
    void mazurEditsUpdateTheFormulas() {
        // Typed edits of a value: each updates the formulas; the page measures from the keystroke to
        // the rendered KaTeX (recorded, not asserted: no timed tests).
        String original = (String) js().executeScript("return document.getElementById('source').value;");
        List<Double> times = new ArrayList<>();
        for (int k = 0; k < 7; k++) {
            String edited = original.replace("i1 = 0.05", "i1 = 0.0" + (k + 1));
            long before = version();
            js().executeScript("const ta = document.getElementById('source'); ta.value = arguments[0];"
                    + "ta.dispatchEvent(new Event('input', {bubbles: true}));", edited);
            awaitUpdate(before);
            times.add(lastLatency());
        }
        setText(original);
        times.sort(null);
        latencies.add("mazur edit → formulas, 7 edits: median " + Math.round(times.get(3)) + " ms, max "
                + Math.round(times.get(6)) + " ms " + times);
    }

    @Test
    @Order(6)
    void theHangulExampleLoads() throws IOException {
        long before = version();
        new Select(driver.findElement(By.id("examples"))).selectByValue("hangul");
        awaitUpdate(before);
        String text = (String) js().executeScript("return document.getElementById('source').value;");
        assertTrue(text.contains("들1 = 웨1*나0 + 편향1"), text);
        assertEquals("웨1", driver.findElement(By.id("formula-main")).getAttribute("data-wrt"));
        String source = (String) js().executeScript("return document.querySelector('#formula-main annotation').textContent;");
        assertTrue(source.contains("웨"), source);
        assertTrue(driver.findElement(By.id("path-table")).getText().contains("들1"));
        before = version();
        driver.findElement(By.id("book")).click();
        awaitUpdate(before);
        assertTrue(driver.findElement(By.id("path-table")).getText().contains("액"));
        screenshot("hangul-book");
        before = version();
        driver.findElement(By.id("book")).click();
        awaitUpdate(before);
    }

    @Test
    @Order(7)
    void deepSigmoidAndDeepReluFlowsSideBySide() throws IOException {
        long before = version();
        new Select(driver.findElement(By.id("examples"))).selectByValue("chain10-sigmoid");
        awaitUpdate(before);
        driver.findElement(By.id("pin")).click();
        before = version();
        new Select(driver.findElement(By.id("examples"))).selectByValue("chain10-relu");
        awaitUpdate(before);
        assertEquals(1, driver.findElements(By.cssSelector("#flow svg.flowchart")).size());
        assertEquals(1, driver.findElements(By.cssSelector("#pinned svg.flowchart")).size());
        assertTrue(driver.findElement(By.cssSelector("#pinned svg")).getText().contains("sigmoid"));
        js().executeScript("document.getElementById('flows').scrollIntoView();");
        screenshot("flow-compare");
    }

    @Test
    @Order(8)
    void hostileRequestsAreAnsweredWithErrorsAndTheServerKeepsServing() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> deep = (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "const body = 'input x = 1\\nloss E = ' + '('.repeat(100000) + 'x' + ')'.repeat(100000) + '\\n';"
                + "fetch('/api/analyze', {method: 'POST', body}).then(r => r.json().then(j => done({status: r.status, "
                + "ok: j.ok, message: (j.diagnostics || [{}])[0].message || j.error})))"
                + ".catch(e => done({status: -1, message: String(e)}));");
        assertEquals(200L, ((Number) deep.get("status")).longValue());
        assertEquals(false, deep.get("ok"));
        assertTrue(String.valueOf(deep.get("message")).contains("nested too deeply"), String.valueOf(deep.get("message")));

        @SuppressWarnings("unchecked")
        Map<String, Object> big = (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "const body = 'a'.repeat(10 * 1024 * 1024);"
                + "fetch('/api/analyze', {method: 'POST', body}).then(r => r.json().then(j => done({status: r.status, "
                + "ok: j.ok, message: (j.diagnostics || [{}])[0].message || j.error})))"
                + ".catch(e => done({status: -1, message: String(e)}));");
        assertEquals(413L, ((Number) big.get("status")).longValue());
        assertTrue(String.valueOf(big.get("message")).contains("input too large"), String.valueOf(big.get("message")));

        // a page on another site (Origin) and a DNS-rebound name (Host) are refused
        assertTrue(raw("POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nOrigin: http://evil.example\r\n"
                + "Content-Length: 1\r\nConnection: close\r\n\r\nx").startsWith("HTTP/1.1 403"));
        assertTrue(raw("GET /api/start HTTP/1.1\r\nHost: evil.example:" + server.port() + "\r\nConnection: close\r\n\r\n")
                .startsWith("HTTP/1.1 403"));

        // and it keeps serving: the page still updates
        long before = version();
        new Select(driver.findElement(By.id("examples"))).selectByValue("mazur");
        awaitUpdate(before);
        assertEquals("true", driver.findElement(By.tagName("body")).getAttribute("data-ok"));
        assertTrue(driver.findElements(By.cssSelector("#formula-main .katex")).size() == 1);
    }

    private static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Order(9)
    void aMnistSizedNetworkShowsOneWeightsPathsAndLayerForms() throws IOException {
        String text = MnistFile.text();
        long before = version();
        js().executeScript("window.chainrule.editStart = performance.now(); const ta = document.getElementById('source');"
                + "ta.value = arguments[0]; ta.dispatchEvent(new Event('input', {bubbles: true}));", text);
        awaitUpdate(before);
        double first = lastLatency();
        assertEquals("W1[1,1]", driver.findElement(By.id("formula-main")).getAttribute("data-wrt"));
        String layers = driver.findElement(By.id("layer-forms")).getText();
        // the whole-matrix layer form, not 100,000 element closed forms (which hung the page once)
        assertTrue(layers.contains("δ(h.in) ⊗ x"), layers.length() > 2000 ? layers.substring(0, 2000) : layers);
        assertTrue(layers.length() < 20_000, "layer forms text of " + layers.length() + " characters");
        // an edit: one input value changes
        before = version();
        js().executeScript("const ta = document.getElementById('source');"
                + "ta.value = ta.value.replace('input x[784] = [0.0,', 'input x[784] = [0.5,');"
                + "ta.dispatchEvent(new Event('input', {bubbles: true}));");
        awaitUpdate(before);
        double edit = lastLatency();
        Object editServer = js().executeScript("return JSON.stringify({millis: Math.round(window.chainrule.result.millis),"
                + " phases: window.chainrule.result.phases, page: window.chainrule.timing});");
        // more edits of the same kind: the server reuses the structure and its code is warm by now
        List<Long> more = new ArrayList<>();
        List<Object> moreTimes = new ArrayList<>();
        for (String value : List.of("0.6", "0.7", "0.8")) {
            before = version();
            js().executeScript("const ta = document.getElementById('source');"
                    + "ta.value = ta.value.replace(/^input x\\[784\\] = \\[[0-9.]+,/m, 'input x[784] = [' + arguments[0] + ',');"
                    + "ta.dispatchEvent(new Event('input', {bubbles: true}));", value);
            awaitUpdate(before);
            more.add(Math.round(lastLatency()));
            moreTimes.add(js().executeScript("return JSON.stringify({server: Math.round(window.chainrule.result.millis),"
                    + " page: window.chainrule.timing});"));
        }
        Object moreServer = js().executeScript("return JSON.stringify({millis: Math.round(window.chainrule.result.millis),"
                + " phases: window.chainrule.result.phases});");
        // following another weight reuses the analysed network
        before = version();
        js().executeScript("const w = document.getElementById('wrt'); w.value = 'W1[2,1]';"
                + "w.dispatchEvent(new Event('change', {bubbles: true}));");
        awaitUpdate(before);
        double follow = lastLatency();
        assertEquals("W1[2,1]", driver.findElement(By.id("formula-main")).getAttribute("data-wrt"));
        screenshot("mnist");
        latencies.add("784-128-10 load → formulas: " + Math.round(first) + " ms; edit → formulas: " + Math.round(edit)
                + " ms (server " + editServer + "); 3 more edits: " + more + " ms " + moreTimes + " (last: server " + moreServer
                + "); follow another weight: " + Math.round(follow) + " ms");
    }

    /** A 784-128-10 relu/softmax classifier with every value written out (about 800 KB). */
    static final class MnistFile {
        static String text() {
            int in = 784, hidden = 128, out = 10;
            StringBuilder s = new StringBuilder("input x[784] = ").append(list(in, j -> (j % 11) / 10.0)).append('\n');
            s.append("target y[10] = ").append(list(out, i -> i == 3 ? 1 : 0)).append('\n');
            s.append("weight W1[128,784] = [");
            for (int i = 0; i < hidden; i++) {
                int row = i;
                s.append(i == 0 ? "" : ",\n  ").append(list(in, j -> (((row * 31 + j * 17) % 23) - 11) / 400.0));
            }
            s.append("]\nweight W2[10,128] = [");
            for (int i = 0; i < out; i++) {
                int row = i;
                s.append(i == 0 ? "" : ",\n  ").append(list(hidden, j -> (((row * 7 + j * 13) % 19) - 9) / 60.0));
            }
            s.append("]\nbias b1[128] = ").append(list(hidden, i -> ((i % 7) - 3) / 50.0));
            s.append("\nbias b2[10] = ").append(list(out, i -> ((i % 5) - 2) / 20.0));
            s.append("\nh = relu(W1 @ x + b1)\np = softmax(W2 @ h + b2)\nloss L = cross_entropy(p, y)\n");
            return s.toString();
        }

        private static String list(int n, java.util.function.IntToDoubleFunction f) {
            StringBuilder s = new StringBuilder("[");
            for (int k = 0; k < n; k++) {
                s.append(k == 0 ? "" : ", ").append(f.applyAsDouble(k));
            }
            return s.append(']').toString();
        }
    }
}
