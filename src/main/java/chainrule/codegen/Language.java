package chainrule.codegen;

import chainrule.expr.PowerEntry;
import chainrule.expr.Primitive.Lowering;
import java.nio.charset.StandardCharsets;

/** The syntax of each target language: what differs between Java, C and Python source. */
public enum Language implements chainrule.layer.SourceSyntax {
    JAVA("java", "//", "double ", ";") {
        @Override public String template(Lowering l) { return l.java(); }
        @Override String helper(Lowering l) { return l.javaHelper(); }
        @Override String string(String text) { return utf16Escaped(text); }
    },
    C("c", "//", "double ", ";") {
        @Override public String template(Lowering l) { return l.c(); }
        @Override String helper(Lowering l) { return l.cHelper(); }
        /** Non-ASCII as octal escapes of the UTF-8 bytes (octal escapes end after 3 digits; hex ones do not). */
        @Override String string(String text) {
            StringBuilder sb = new StringBuilder("\"");
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xFF;
                if (c == '"' || c == '\\') {
                    sb.append('\\').append((char) c);
                } else if (c >= 0x20 && c < 0x7F && c != '?') {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\%03o", c));
                }
            }
            return sb.append('"').toString();
        }
    },
    PYTHON("python", "#", "", "") {
        @Override public String template(Lowering l) { return l.python(); }
        @Override String helper(Lowering l) { return l.pythonHelper(); }
        /** Python raises on 1.0 / 0.0 where Java and C give an infinity. */
        @Override public String reciprocal(String base) { return "cr_recip(" + base + ")"; }
        @Override String reciprocalHelper() {
            return "def cr_recip(b):\n    return 1.0 / b if b != 0 else math.copysign(math.inf, b)\n";
        }
        /** Python raises on a / 0.0 where Java and C give ±inf, or nan for 0/0 and nan/0. */
        @Override public String quotient(String a, String b) { return "cr_div(" + a + ", " + b + ")"; }
        @Override String quotientHelper() {
            return "def cr_div(a, b):\n    if b != 0:\n        return a / b\n"
                    + "    if a == 0 or math.isnan(a):\n        return math.nan\n"
                    + "    return math.copysign(math.inf, a) * math.copysign(1.0, b)\n";
        }
        @Override String string(String text) {
            StringBuilder sb = new StringBuilder("\"");
            text.codePoints().forEach(cp -> {
                if (cp == '"' || cp == '\\') {
                    sb.append('\\').appendCodePoint(cp);
                } else if (cp >= 0x20 && cp < 0x7F) {
                    sb.appendCodePoint(cp);
                } else if (cp <= 0xFFFF) {
                    sb.append(String.format("\\u%04x", cp));
                } else {
                    sb.append(String.format("\\U%08x", cp));
                }
            });
            return sb.append('"').toString();
        }
    };

    /**
     * The first lines of generated C after its includes: no {@code a*b + c} contracted into one fused
     * multiply-add, whose single rounding changes the last bits (gcc contracts by default outside
     * the ISO modes, and {@code -march=native} on a CPU with FMA makes it do so: the numbers would
     * no longer be {@code eval}'s). gcc takes its own pragma (it ignores the standard one), clang
     * the standard one.
     */
    static final String C_NO_CONTRACTION = """
            /* no a*b + c fused into one rounding (gcc -march=native would): eval's numbers to the last bit */
            #if defined(__clang__)
            #pragma STDC FP_CONTRACT OFF
            #elif defined(__GNUC__)
            #pragma GCC optimize ("fp-contract=off")
            #endif
            """;

    private final String optionName;
    private final String comment;
    private final String declare;
    private final String end;

    Language(String optionName, String comment, String declare, String end) {
        this.optionName = optionName;
        this.comment = comment;
        this.declare = declare;
        this.end = end;
    }

    /** The name given to {@code --lang}. */
    public String optionName() { return optionName; }

    String commentStart() { return comment; }

    /** What starts a new local variable ({@code double } or nothing). */
    @Override public String declare() { return declare; }

    /** What ends a statement. */
    @Override public String end() { return end; }

    /** A built-in's expression template in this language (of a {@code Primitive} or a {@code VectorPrimitive}). */
    @Override public abstract String template(Lowering l);

    /** The helper definitions that template relies on; empty when the standard library suffices. */
    abstract String helper(Lowering l);

    /** The helper a power that is not inlined calls ({@code cr_pow}): the power entry's ({@link PowerEntry#LOWERING}). */
    String powHelper() { return helper(PowerEntry.LOWERING); }

    /** {@code 1 / base}, with IEEE semantics at 0. */
    @Override public String reciprocal(String base) { return "1.0 / " + base; }

    /** The helper {@link #reciprocal} needs, if any. */
    String reciprocalHelper() { return ""; }

    /** {@code a / b}, with IEEE semantics at 0: one step of a quotient ({@code expr.QuotientEntry}). */
    @Override public String quotient(String a, String b) { return a + " / " + b; }

    /** The helper {@link #quotient} needs, if any. */
    String quotientHelper() { return ""; }

    /** {@code statement} run only when {@code value} is nan or infinite, on one line. */
    String unlessFinite(String value, String statement) {
        return switch (this) {
            case JAVA -> "if (!Double.isFinite(" + value + ")) " + statement;
            case C -> "if (!isfinite(" + value + ")) " + statement;
            case PYTHON -> "if not math.isfinite(" + value + "): " + statement;
        };
    }

    /** A string literal holding exactly {@code text}, in ASCII source. */
    abstract String string(String text);

    /** A number literal (finite values; the generated code never holds others). */
    @Override public String number(double v) {
        if (Double.isNaN(v)) {
            return this == PYTHON ? "math.nan" : this == C ? "NAN" : "Double.NaN";
        }
        if (Double.isInfinite(v)) {
            String inf = this == PYTHON ? "math.inf" : this == C ? "INFINITY" : "Double.POSITIVE_INFINITY";
            return v > 0 ? inf : "(-" + inf + ")";
        }
        String s = Double.toString(v);
        return v < 0 ? "(" + s + ")" : s;
    }

    @Override public boolean braces() { return this != PYTHON; }

    @Override public String max(String a, String b) {
        return switch (this) {
            case JAVA -> "Math.max(" + a + ", " + b + ")";
            case C -> "fmax(" + a + ", " + b + ")";
            case PYTHON -> "max(" + a + ", " + b + ")";
        };
    }

    /** Printable ASCII kept, except a backslash and '?' (line splices and trigraphs in C); anything else as U+XXXX. */
    @Override public String comment(String text) {
        StringBuilder sb = new StringBuilder(comment).append(' ');
        text.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F && cp != '\\' && cp != '?') {
                sb.append((char) cp);
            } else {
                sb.append("U+").append(String.format("%04X", cp));
            }
        });
        return sb.toString();
    }

    static String utf16Escaped(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append('"').toString();
    }

    /** The language called {@code name} on the command line, or null. */
    public static Language byOptionName(String name) {
        for (Language l : values()) {
            if (l.optionName.equals(name)) {
                return l;
            }
        }
        return null;
    }
}
