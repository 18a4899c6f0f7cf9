package chainrule.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/chainrule finds target/chainrule.jar beside its own directory, also when it is run through
 * a symbolic link from elsewhere (ln -s .../bin/chainrule ~/bin/chainrule). A stand-in {@code java}
 * on the PATH prints the arguments it was given, so the test needs no built jar.
 */
class LauncherTest {
    @TempDir Path dir;

    @Test
    void aSymbolicLinkFromAnotherDirectoryFindsTheJar() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")));
        Path project = dir.resolve("project");
        Files.createDirectories(project.resolve("bin"));
        Files.createDirectories(project.resolve("target"));
        Path launcher = project.resolve("bin/chainrule");
        Files.copy(Path.of("bin/chainrule"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        assumeTrue(launcher.toFile().setExecutable(true));
        Files.writeString(project.resolve("target/chainrule.jar"), "");
        Path fake = dir.resolve("fakebin");
        Files.createDirectories(fake);
        Path java = fake.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
        assumeTrue(java.toFile().setExecutable(true));
        Path elsewhere = dir.resolve("home/bin");
        Files.createDirectories(elsewhere);
        Path link = elsewhere.resolve("chainrule");
        Files.createSymbolicLink(link, Path.of("../../project/bin/chainrule")); // relative, as ln -s often makes them

        ProcessBuilder pb = new ProcessBuilder(link.toString(), "diff", "x", "--wrt", "x").directory(dir.toFile());
        pb.environment().put("PATH", fake + ":" + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        Process p = start(pb);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains(project.toRealPath() + "/target/chainrule.jar diff x --wrt x"), out);
    }

    /**
     * Starts the process, again if Linux says "Text file busy": the launcher was just written, and
     * a process another test forked meanwhile may still hold the written file open for a moment.
     */
    private static Process start(ProcessBuilder pb) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return pb.start();
            } catch (java.io.IOException e) {
                if (attempt == 20 || !String.valueOf(e.getMessage()).contains("error=26")) {
                    throw e;
                }
                Thread.sleep(50L * attempt);
            }
        }
    }
}
