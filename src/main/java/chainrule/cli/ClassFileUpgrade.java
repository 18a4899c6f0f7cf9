package chainrule.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step (run by the pom after the shade plugin, before the start-up archive is made):
 * rewrites picocli's classes in the runnable jar from class-file version 49 (Java 5) to 52 (Java 8)
 * with stack-map frames computed by ASM. The bytecode is unchanged. Why: class-data sharing skips
 * pre-Java-6 classes ("Pre JDK 6 class not supported by CDS"), and the JVM checks them with the
 * old, slow type-inferring verifier, so picocli's ~230 classes were most of the start-up time of a
 * command (docs/performance.md, "Start-up"). A class ASM cannot frame is left as it was.
 */
public final class ClassFileUpgrade {
    private ClassFileUpgrade() {}

    /** {@code args[0]}: the jar, rewritten in place. */
    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        int upgraded = 0; // counted for a debugger; the build stays quiet
        try (InputStream in = Files.newInputStream(jar);
             ZipInputStream zin = new ZipInputStream(in);
             OutputStream out = Files.newOutputStream(tmp);
             ZipOutputStream zout = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                byte[] bytes = zin.readAllBytes();
                if (e.getName().startsWith("picocli/") && e.getName().endsWith(".class")) {
                    byte[] upgradedBytes = upgrade(bytes);
                    if (upgradedBytes != bytes) {
                        upgraded++;
                        bytes = upgradedBytes;
                    }
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zout.write(bytes);
                zout.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The class as version 52 with frames, or {@code bytes} itself if it is newer already or cannot be framed. */
    static byte[] upgrade(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        int major = ((bytes[6] & 0xFF) << 8) | (bytes[7] & 0xFF);
        if (major >= Opcodes.V1_6) {
            return bytes;
        }
        try {
            ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                    super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
                }
            }, ClassReader.SKIP_FRAMES);
            return writer.toByteArray();
        } catch (RuntimeException jsrOrUnknownType) {
            return bytes;
        }
    }
}
