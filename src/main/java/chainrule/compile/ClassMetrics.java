package chainrule.compile;

import java.util.LinkedHashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;

/** Sizes read back from a class file: the bytecode length of every method (what HotSpot's 8000-byte limit counts). */
public final class ClassMetrics {
    private ClassMetrics() {}

    /** Method name to the length of its {@code Code} attribute's bytecode, in class-file order. */
    public static Map<String, Integer> methodCodeSizes(byte[] classFile) {
        ClassReader cr = new ClassReader(classFile);
        char[] buf = new char[cr.getMaxStringLength()];
        int u = cr.header + 6; // access_flags, this_class, super_class
        u += 2 + 2 * cr.readUnsignedShort(u); // interfaces
        int fields = cr.readUnsignedShort(u);
        u += 2;
        for (int i = 0; i < fields; i++) {
            u = skipAttributes(cr, u + 6);
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int methods = cr.readUnsignedShort(u);
        u += 2;
        for (int i = 0; i < methods; i++) {
            String name = cr.readUTF8(u + 2, buf);
            int attributes = cr.readUnsignedShort(u + 6);
            u += 8;
            for (int a = 0; a < attributes; a++) {
                String attribute = cr.readUTF8(u, buf);
                int length = cr.readInt(u + 2);
                if (attribute.equals("Code")) {
                    sizes.put(name, cr.readInt(u + 10)); // after max_stack and max_locals
                }
                u += 6 + length;
            }
        }
        return sizes;
    }

    /** The largest method's bytecode length. */
    public static int largestMethod(byte[] classFile) {
        return methodCodeSizes(classFile).values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static int skipAttributes(ClassReader cr, int u) {
        int count = cr.readUnsignedShort(u);
        u += 2;
        for (int i = 0; i < count; i++) {
            u += 6 + cr.readInt(u + 2);
        }
        return u;
    }
}
