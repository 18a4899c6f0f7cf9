package chainrule.codegen;

import chainrule.compile.Step;
import chainrule.compile.Tape;
import chainrule.expr.Apply;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Num;
import chainrule.expr.Power;
import chainrule.expr.PowerEntry;
import chainrule.expr.Primitive;
import chainrule.expr.Product;
import chainrule.expr.QuotientEntry;
import chainrule.expr.Sum;
import chainrule.expr.Sym;
import chainrule.expr.VectorElement;
import chainrule.expr.UserFunction;
import chainrule.model.Network;
import chainrule.model.Vertex;
import chainrule.model.Divisions;
import chainrule.print.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Standalone Java, C or Python source computing a network's loss and whole gradient, from the same
 * {@link Tape} as the bytecode compiler, so every language performs the same operations in the
 * same order and prints the same numbers. Built-ins are written with the primitive table's
 * {@link Primitive#lowering() lowerings} and helpers; only each language's standard library is used.
 *
 * <p>The function takes the declared values {@code d} (in declaration order) and writes the
 * gradient into {@code g} (in parameter order); it returns the loss. With a main entry point the
 * program evaluates at the file's values and prints the JSON of {@code chainrule eval --json}.
 */
public final class SourceGenerator implements Expr.Visitor<String> {
    /** Name of the generated Java class. */
    public static final String JAVA_CLASS = "ChainruleGradient";

    private final Tape tape;
    private final Language lang;
    /** The Java class's name (ignored for C and Python). */
    private final String className;
    /** Limit fallbacks for gradient entries at removable singularities. */
    private final LimitFallbacks fallbacks;
    /** Lowerings of the built-ins used, whose helpers the source must define. */
    private final Set<Primitive.Lowering> used = new LinkedHashSet<>();
    private final Set<Integer> declaredLocals = new HashSet<>();
    private boolean usesPow;
    private boolean usesReciprocal;
    private boolean usesQuotient;
    private List<Expr> operands;

    private SourceGenerator(Tape tape, Language lang, String className, LimitFallbacks fallbacks) {
        this.tape = tape;
        this.lang = lang;
        this.className = className;
        this.fallbacks = fallbacks;
    }

    /**
     * The most statements the generated Java function may have. javac refuses a method whose
     * bytecode passes 64 KB ("code too large"); measured on generated relu/sigmoid networks, 3,908
     * statements compiled and 4,883 did not, so the limit stays below the first failure.
     */
    public static final int JAVA_MAX_STATEMENTS = 4000;

    /** How many statements the generated function has: one per declared value and tape step, and the return. */
    public static int statements(Tape tape) {
        return tape.declared().size() + tape.forward().size() + tape.reverse().size() + 1;
    }

    /** The source for {@code tape}'s network; {@code withMain} adds an entry point printing the JSON. */
    public static String generate(Tape tape, Language lang, boolean withMain) {
        return generate(tape, lang, withMain, JAVA_CLASS);
    }

    /** As {@link #generate(Tape, Language, boolean)}, the Java class named {@code className} (a Java identifier). */
    public static String generate(Tape tape, Language lang, boolean withMain, String className) {
        return generate(tape, lang, withMain, className, LimitFallbacks.NONE);
    }

    /**
     * As {@link #generate(Tape, Language, boolean, String)}, each gradient entry of
     * {@code fallbacks} followed by its guarded limit forms (see {@link #limitFallbacks}).
     */
    public static String generate(Tape tape, Language lang, boolean withMain, String className, LimitFallbacks fallbacks) {
        return new SourceGenerator(tape, lang, className, fallbacks).generate(withMain);
    }

    private String generate(boolean withMain) {
        List<String> body = new ArrayList<>();
        for (int i = 0; i < tape.declared().size(); i++) {
            body.add(lang.declare() + value(i) + " = d[" + i + "]" + lang.end());
            declaredLocals.add(i);
        }
        for (Step s : tape.forward()) {
            body.add(statement(s));
        }
        for (Step s : tape.reverse()) {
            body.add(statement(s));
        }
        body.addAll(limitFallbacks());
        body.add("return " + operand(tape.loss()) + lang.end());
        dropUnread(body, tape.declared().size());
        StringBuilder out = new StringBuilder();
        header(out);
        switch (lang) {
            case JAVA -> java(out, body, withMain);
            case C -> c(out, body, withMain);
            case PYTHON -> python(out, body, withMain);
        }
        return out.toString();
    }

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The local a declared value's statement defines: {@code double v3_w = d[3];}, {@code v3_w = d[3]}. */
    private static final Pattern DECLARED_LOCAL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*) = d\\[");

    /**
     * Removes the first {@code declared} statements (one local per declared value) whose local no
     * later statement reads: a weight the loss does not use would otherwise be an unused variable,
     * which {@code gcc -Wall -Werror} refuses.
     */
    private static void dropUnread(List<String> body, int declared) {
        Set<String> read = new HashSet<>();
        for (int i = declared; i < body.size(); i++) {
            Matcher m = IDENTIFIER.matcher(body.get(i));
            while (m.find()) {
                read.add(m.group());
            }
        }
        for (int i = declared - 1; i >= 0; i--) {
            Matcher local = DECLARED_LOCAL.matcher(body.get(i));
            if (local.find() && !read.contains(local.group(1))) {
                body.remove(i);
            }
        }
    }

    /**
     * Most characters of limit fallbacks in one generated Java function (its bytecode is limited
     * to 64 KB, and the tape's statements come first: less near {@link #JAVA_MAX_STATEMENTS});
     * C and Python take {@link #MAX_FALLBACK_CHARS}.
     */
    static final int JAVA_MAX_FALLBACK_CHARS = 24_000;

    /** Most characters of limit fallbacks in one generated C or Python function. */
    static final int MAX_FALLBACK_CHARS = 400_000;

    /**
     * Removable singularities (docs/hardening.md): where a gradient entry can come out nan or
     * infinite although it has a finite limit ({@code u = sqrt(w)}, {@code L = u^2} at w = 0:
     * δ(u)·sqrt′(w) = 0·inf), the interpreter takes the limit symbolically ({@code paths.Limits}).
     * Generated code cannot, so each such entry is followed by guarded assignments of the forms
     * the interpreter tries in turn (the closed form multiplied out, then with definitions put in,
     * level by level), each run only while the entry is still not finite: ordinary points run
     * exactly the tape's operations. A term whose factor no parameter moves is taken as 0 where
     * that factor is 0 ({@code c·w/abs(w)} with a const c = 0), as the interpreter puts such
     * values in as numbers. Entries whose factors never divide get nothing.
     */
    private List<String> limitFallbacks() {
        List<String> out = new ArrayList<>();
        List<Vertex> params = tape.network().parameters();
        if (fallbacks.forms().isEmpty()) {
            return out;
        }
        Map<String, Integer> named = new HashMap<>();
        for (int slot = 0; slot < tape.slotCount(); slot++) {
            String name = tape.slotName(slot);
            if (name != null) {
                named.putIfAbsent(name, slot);
            }
        }
        // Java: what the statement limit leaves of the 64 KB (about 16 bytes a statement, and a
        // fallback's bytecode is shorter than its text)
        int budget = lang == Language.JAVA
                ? Math.min(JAVA_MAX_FALLBACK_CHARS, Math.max(0, (JAVA_MAX_STATEMENTS - statements(tape)) * 16))
                : MAX_FALLBACK_CHARS;
        for (Map.Entry<Integer, List<Expr>> entry : fallbacks.forms().entrySet()) {
            int i = entry.getKey();
            List<String> lines = new ArrayList<>();
            int size = 0;
            try {
                FormPrinter printer = new FormPrinter(named, budget);
                for (Expr form : entry.getValue()) {
                    String text = printer.print(form);
                    size += text.length();
                    lines.add(lang.unlessFinite("g[" + i + "]", "g[" + i + "] = " + text + lang.end()));
                }
            } catch (TooLarge e) {
                continue;
            }
            if (size > budget) {
                continue;
            }
            budget -= size;
            out.add(lang.commentStart() + " " + Names.comment(params.get(i).name())
                    + ": where the gradient is not finite, its limit (removable singularities)");
            out.addAll(lines);
        }
        return out;
    }

    /** A fallback form that would pass the size budget. */
    private static final class TooLarge extends RuntimeException {
        TooLarge() { super(null, null, false, false); }
    }

    /**
     * Source of a fallback form: an expression over vertex values, each read from its slot (or its
     * definition written out where it has none); user functions inlined; parenthesised throughout.
     */
    private final class FormPrinter implements Expr.Visitor<String> {
        private final Map<String, Integer> named;
        private final int budget;
        private final Map<Expr, String> memo = new HashMap<>();
        private final Map<Expr, Boolean> moved = new HashMap<>();

        FormPrinter(Map<String, Integer> named, int budget) {
            this.named = named;
            this.budget = budget;
        }

        String print(Expr e) {
            String known = memo.get(e);
            if (known == null) {
                known = e.accept(this);
                if (known.length() > budget) {
                    throw new TooLarge();
                }
                memo.put(e, known);
            }
            return known;
        }

        /** Whether a parameter moves {@code e}'s value. */
        private boolean moved(Expr e) {
            Boolean known = moved.get(e);
            if (known != null) {
                return known;
            }
            boolean m = false;
            if (e instanceof Sym) {
                m = fallbacks.moved().contains(e);
            } else {
                for (Expr c : e.children()) {
                    m |= moved(c);
                }
            }
            moved.put(e, m);
            return m;
        }

        @Override public String num(Num e) { return lang.number(e.value()); }

        @Override
        public String sym(Sym e) {
            Vertex v = tape.network().vertex(e);
            Integer slot = named.get(v.name());
            if (slot != null) {
                return value(slot);
            }
            return "(" + print(v.definition()) + ")";
        }

        @Override
        public String sum(Sum e) {
            List<String> parts = new ArrayList<>();
            for (Expr t : e.terms()) {
                parts.add(print(t));
            }
            return "(" + String.join(" + ", parts) + ")";
        }

        @Override
        public String product(Product e) {
            if (QuotientEntry.divides(e)) {
                return quotient(e);
            }
            List<String> fixed = new ArrayList<>();
            List<String> rest = new ArrayList<>();
            List<Expr> restFactors = new ArrayList<>();
            for (Expr f : e.factors()) {
                boolean moves = moved(f) || f instanceof Num;
                (moves ? rest : fixed).add(print(f));
                if (moves) {
                    restFactors.add(f);
                }
            }
            if (fixed.isEmpty() || rest.isEmpty() || !Divisions.mayDivide(Exprs.mul(restFactors))) {
                fixed.addAll(rest);
                return "(" + String.join(" * ", fixed) + ")";
            }
            String k = "(" + String.join(" * ", fixed) + ")";
            String r = "(" + String.join(" * ", rest) + ")";
            return lang == Language.PYTHON ? "(0.0 if " + k + " == 0.0 else " + k + " * " + r + ")"
                    : "(" + k + " == 0.0 ? 0.0 : " + k + " * " + r + ")";
        }

        /**
         * A product with negative powers, as the interpreter computes it ({@link QuotientEntry}),
         * guarded like any product: 0 where its factors that no parameter moves are 0.
         */
        private String quotient(Product e) {
            usesQuotient = true;
            List<Expr> divisors = QuotientEntry.operands(e);
            String whole = "(" + QuotientEntry.fold(e, new QuotientEntry.Operations<String>() {
                @Override public String one() { return lang.number(1.0); }

                @Override public String operand(int k) { return print(divisors.get(k)); }

                @Override public String times(String a, String b) { return a + " * " + b; }

                @Override public String over(String a, String b) { return lang.quotient(a, b); }
            }) + ")";
            List<Expr> fixed = new ArrayList<>();
            List<Expr> rest = new ArrayList<>();
            for (Expr f : e.factors()) {
                (moved(f) || f instanceof Num ? rest : fixed).add(f);
            }
            if (fixed.isEmpty() || rest.isEmpty() || !Divisions.mayDivide(Exprs.mul(rest))) {
                return whole;
            }
            String k = "(" + print(Exprs.mul(fixed)) + ")";
            return lang == Language.PYTHON ? "(0.0 if " + k + " == 0.0 else " + whole + ")"
                    : "(" + k + " == 0.0 ? 0.0 : " + whole + ")";
        }

        @Override
        public String power(Power e) {
            String base = print(e.base());
            if (e.exponent() instanceof Num n && n.value() == 2.0) {
                return "(" + base + " * " + base + ")";
            }
            if (e.exponent() instanceof Num n && n.value() == -1.0) {
                usesReciprocal = true;
                return "(" + lang.reciprocal(base) + ")";
            }
            usesPow = true;
            return "cr_pow(" + base + ", " + print(e.exponent()) + ")";
        }

        @Override
        public String apply(Apply e) {
            if (e.fn() instanceof UserFunction f) {
                return print(f.inline(e.args()));
            }
            if (e.fn() instanceof VectorElement v) {
                Primitive.Lowering l = v.primitive().lowering();
                used.add(l);
                List<String> args = new ArrayList<>();
                for (Expr a : e.args()) {
                    args.add(print(a));
                }
                return "(" + lang.template(l).replace("{args}", String.join(", ", args))
                        .replace("{n}", Integer.toString(args.size()))
                        .replace("{j}", Integer.toString(v.index())) + ")";
            }
            Primitive p = (Primitive) e.fn();
            used.add(p.lowering());
            String text = lang.template(p.lowering());
            for (int i = 0; i < e.args().size(); i++) {
                text = text.replace("{" + i + "}", "(" + print(e.arg(i)) + ")");
            }
            return "(" + text + ")";
        }
    }

    private void header(StringBuilder out) {
        String c = lang.commentStart();
        Network net = tape.network();
        out.append(c).append(" Generated by chainrule from ").append(Names.comment(java.nio.file.Path.of(net.source().name()).getFileName().toString()))
                .append(": the loss ").append(Names.comment(net.loss().name())).append(" and its gradient.\n");
        out.append(c).append(" d[i], the declared values:");
        for (int i = 0; i < tape.declared().size(); i++) {
            Vertex v = tape.declared().get(i);
            out.append(i % 6 == 0 ? "\n" + c + "  " : " ").append(i).append('=').append(Names.comment(v.name()));
        }
        out.append('\n').append(c).append(" g[i], the gradient:");
        List<Vertex> params = net.parameters();
        for (int i = 0; i < params.size(); i++) {
            out.append(i % 6 == 0 ? "\n" + c + "  " : " ").append(i).append('=').append(Names.comment(params.get(i).name()));
        }
        out.append('\n');
    }

    private String helpers() {
        StringBuilder sb = new StringBuilder();
        for (Primitive.Lowering l : used) {
            if (!lang.helper(l).isEmpty()) {
                sb.append(lang.helper(l)).append('\n');
            }
        }
        if (usesPow) {
            sb.append(lang.powHelper()).append('\n');
        }
        if (usesReciprocal && !lang.reciprocalHelper().isEmpty()) {
            sb.append(lang.reciprocalHelper()).append('\n');
        }
        if (usesQuotient && !lang.quotientHelper().isEmpty()) {
            sb.append(lang.quotientHelper()).append('\n');
        }
        return sb.toString();
    }

    private void java(StringBuilder out, List<String> body, boolean withMain) {
        out.append("public final class ").append(className).append(" {\n");
        out.append(indent(helpers(), "    "));
        out.append("    public static double gradient(double[] d, double[] g) {\n");
        body.forEach(line -> out.append(indent(line, "        ")).append('\n'));
        out.append("    }\n");
        if (withMain) {
            out.append('\n').append(indent(JsonNumbers.JAVA, "    ")).append('\n');
            out.append("    public static void main(String[] args) {\n");
            out.append("        double[] d = {").append(values(", ")).append("};\n");
            out.append("        double[] g = new double[").append(Math.max(1, tape.network().parameters().size())).append("];\n");
            out.append("        double loss = gradient(d, g);\n");
            out.append("        StringBuilder out = new StringBuilder();\n");
            for (String[] part : jsonParts()) {
                out.append("        out.append(").append(lang.string(part[0])).append(");\n");
                if (part[1] != null) {
                    out.append("        out.append(cr_json(").append(part[1]).append("));\n");
                }
            }
            out.append("        System.out.println(out);\n    }\n");
        }
        out.append("}\n");
    }

    private void c(StringBuilder out, List<String> body, boolean withMain) {
        out.append("#include <math.h>\n");
        if (withMain) {
            out.append("#include <stdio.h>\n#include <stdlib.h>\n");
        }
        out.append(Language.C_NO_CONTRACTION);
        out.append('\n').append(helpers());
        out.append("double chainrule_gradient(const double *d, double *g) {\n");
        body.forEach(line -> out.append(indent(line, "    ")).append('\n'));
        out.append("}\n");
        if (withMain) {
            out.append('\n').append(JsonNumbers.C).append('\n');
            out.append("int main(void) {\n");
            out.append("    const double d[] = {").append(values(", ")).append("};\n");
            out.append("    double g[").append(Math.max(1, tape.network().parameters().size())).append("];\n");
            out.append("    double loss = chainrule_gradient(d, g);\n");
            for (String[] part : jsonParts()) {
                out.append("    fputs(").append(lang.string(part[0])).append(", stdout);\n");
                if (part[1] != null) {
                    out.append("    cr_json(").append(part[1]).append(");\n");
                }
            }
            out.append("    putchar('\\n');\n    return 0;\n}\n");
        }
    }

    private void python(StringBuilder out, List<String> body, boolean withMain) {
        out.append("import math\n\n").append(helpers()).append('\n');
        out.append("def gradient(d, g):\n");
        body.forEach(line -> out.append(indent(line, "    ")).append('\n'));
        if (withMain) {
            out.append("\n\n").append(JsonNumbers.PYTHON).append("\n\n");
            out.append("if __name__ == \"__main__\":\n");
            out.append("    d = [").append(values(", ")).append("]\n");
            out.append("    g = [0.0] * ").append(Math.max(1, tape.network().parameters().size())).append('\n');
            out.append("    loss = gradient(d, g)\n    parts = []\n");
            for (String[] part : jsonParts()) {
                out.append("    parts.append(").append(lang.string(part[0])).append(")\n");
                if (part[1] != null) {
                    out.append("    parts.append(cr_json(").append(part[1]).append("))\n");
                }
            }
            out.append("    print(\"\".join(parts))\n");
        }
    }

    /** The JSON of {@code eval --json} as literal pieces, each followed by a number expression (or null). */
    private List<String[]> jsonParts() {
        List<String[]> parts = new ArrayList<>();
        parts.add(new String[] {"{\"loss\": {\"name\": " + Json.write(tape.network().loss().name()) + ", \"value\": ", "loss"});
        List<Vertex> params = tape.network().parameters();
        String sep = "}, \"gradient\": {";
        for (int i = 0; i < params.size(); i++) {
            parts.add(new String[] {sep + Json.write(params.get(i).name()) + ": ", "g[" + i + "]"});
            sep = ", ";
        }
        parts.add(new String[] {params.isEmpty() ? "}, \"gradient\": {}}" : "}}", null});
        return parts;
    }

    private String values(String separator) {
        List<String> out = new ArrayList<>();
        for (Vertex v : tape.declared()) {
            Double x = tape.network().values().get(v.name());
            out.add(lang.number(x == null ? Double.NaN : x));
        }
        return String.join(separator, out);
    }

    private static String indent(String text, String prefix) {
        if (text.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                sb.append(prefix).append(line);
            }
            sb.append('\n');
        }
        return sb.substring(0, sb.length() - 1);
    }

    private String value(int slot) {
        return Names.identifier("v", slot, tape.slotName(slot));
    }

    private String adjoint(int slot) {
        return "a" + slot;
    }

    /** A new local, declared on first assignment. */
    private String assign(String name, int slot, String expr) {
        boolean fresh = declaredLocals.add(slot);
        return (fresh ? lang.declare() : "") + name + " = " + expr + lang.end();
    }

    private String statement(Step s) {
        operands = s.operands();
        switch (s.kind()) {
            case VALUE -> {
                String comment = tape.slotName(s.target()) == null ? ""
                        : "  " + lang.commentStart() + " " + Names.comment(tape.slotName(s.target()));
                return assign(value(s.target()), s.target(), s.node().accept(this)) + comment;
            }
            case MORE_TERMS, MORE_FACTORS -> {
                String op = s.kind() == Step.Kind.MORE_TERMS ? " + " : " * ";
                return value(s.target()) + " = " + value(s.target()) + op + join(op) + lang.end();
            }
            case ADJOINT_SET -> {
                return s.intoGradient() ? adjointTarget(s) + " = " + factor(s) + lang.end()
                        : assign(adjoint(s.target()), s.target(), factor(s));
            }
            case ADJOINT_ADD -> {
                return adjointTarget(s) + " = " + adjointTarget(s) + " + " + factor(s) + lang.end();
            }
            case ADJOINT_SEED -> {
                return s.intoGradient() ? adjointTarget(s) + " = 1.0" + lang.end()
                        : assign(adjoint(s.target()), s.target(), "1.0");
            }
            case GRADIENT -> {
                return "g[" + s.target() + "] = 0.0" + lang.end();
            }
        }
        throw new AssertionError(s.kind());
    }

    private String adjointTarget(Step s) {
        return s.intoGradient() ? "g[" + s.target() + "]" : adjoint(s.target());
    }

    private String factor(Step s) {
        if (s.unitFactor()) {
            return adjoint(s.source());
        }
        Expr o = s.operands().get(0);
        Expr divisor = tape.divisor(o);
        if (divisor != null) { // δ·b^-n as δ/b/…/b, as in the bytecode (QuotientEntry), never δ·(1/b)
            String b = operand(divisor);
            return tape.adjointProduct(adjoint(s.source()), o, new QuotientEntry.Operations<String>() {
                @Override public String one() { throw new AssertionError(); }

                @Override public String operand(int k) { return b; }

                @Override public String times(String a, String c) { return a + " * " + c; }

                @Override public String over(String a, String c) {
                    usesQuotient = true;
                    return lang.quotient(a, c);
                }
            });
        }
        // a fused product is computed whole, then multiplies δ, as in the bytecode: δ·(a·b), never (δ·a)·b
        String f = tape.fusedFactors(o) != null ? "(" + operand(o) + ")" : operand(o);
        return adjoint(s.source()) + " * " + f;
    }

    private String operand(Expr o) {
        if (o instanceof Num n) {
            return lang.number(n.value());
        }
        List<Expr> factors = tape.fusedFactors(o);
        if (factors == null) {
            return value(tape.slot(o));
        }
        return tape.foldFused(o, quotientOf(factors));
    }

    /** The operations of a product over {@code factors} (operands of a step or a fused product's factors) in source text. */
    private QuotientEntry.Operations<String> quotientOf(List<Expr> factors) {
        return new QuotientEntry.Operations<>() {
            @Override public String one() { return lang.number(1.0); }

            @Override public String operand(int k) { return SourceGenerator.this.operand(factors.get(k)); }

            @Override public String times(String a, String b) { return a + " * " + b; }

            @Override public String over(String a, String b) {
                usesQuotient = true;
                return lang.quotient(a, b);
            }
        };
    }

    private String join(String op) {
        List<String> parts = new ArrayList<>();
        for (Expr o : operands) {
            parts.add(operand(o));
        }
        return String.join(op, parts);
    }

    @Override public String num(Num e) { return lang.number(e.value()); }

    @Override public String sym(Sym e) { return operand(operands.get(0)); }

    @Override public String sum(Sum e) { return join(" + "); }

    /** As the bytecode does: a product with negative powers as a true division ({@link QuotientEntry}). */
    @Override
    public String product(Product e) {
        return QuotientEntry.divides(e) ? QuotientEntry.fold(e, quotientOf(operands)) : join(" * ");
    }

    /** As the bytecode does: the power entry's form ({@link PowerEntry}: squares and reciprocals inline, else {@code cr_pow}). */
    @Override
    public String power(Power e) {
        String base = operand(operands.get(0));
        Expr exponent = operands.get(1);
        PowerEntry.Form form = PowerEntry.form(exponent);
        usesReciprocal |= form == PowerEntry.Form.RECIPROCAL;
        usesPow |= form == PowerEntry.Form.CALL;
        return PowerEntry.source(form, base, form == PowerEntry.Form.CALL ? operand(exponent) : "",
                lang.template(PowerEntry.LOWERING), lang::reciprocal);
    }

    @Override
    public String apply(Apply e) {
        if (e.fn() instanceof VectorElement v) {
            return vectorElement(v);
        }
        Primitive p = (Primitive) e.fn(); // the tape inlines user functions
        used.add(p.lowering());
        String text = lang.template(p.lowering());
        for (int i = 0; i < operands.size(); i++) {
            text = text.replace("{" + i + "}", operand(operands.get(i)));
        }
        return text;
    }

    /** {@code cr_softmax(<the operands as an array literal>, j)}, from the vector table's templates. */
    private String vectorElement(VectorElement v) {
        Primitive.Lowering l = v.primitive().lowering();
        used.add(l);
        return lang.template(l).replace("{args}", join(", "))
                .replace("{n}", Integer.toString(operands.size()))
                .replace("{j}", Integer.toString(v.index()));
    }
}
