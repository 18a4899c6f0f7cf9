package chainrule.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/** Runs ASM's bytecode verifier over a generated class and checks the method-size limit. */
public final class ClassVerifier {
    private ClassVerifier() {}

    public static void verify(CompiledGradient g) {
        byte[] bytes = g.classFile();
        StringWriter problems = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(bytes), ClassVerifier.class.getClassLoader(), false,
                new PrintWriter(problems));
        assertEquals("", problems.toString(), "generated class does not verify");
        int largest = ClassMetrics.largestMethod(bytes);
        assertTrue(largest < 8000, "a generated method has " + largest + " bytes of bytecode");
    }
}
