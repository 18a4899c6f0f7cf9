package chainrule.bench;

import chainrule.compile.CompiledGradient;
import chainrule.diag.Source;
import chainrule.layer.LayerCompiler;
import chainrule.layer.LayerLowering;
import chainrule.layer.LayerProgram;
import chainrule.model.Analyzer;
import chainrule.model.Network;
import chainrule.parse.Ast;
import chainrule.parse.SourceParser;

/**
 * The layered benchmark networks as {@code .nn} text, and how they are compiled: through the
 * analyser as {@code eval} does, or, for ops the analyser does not know yet (softmax,
 * cross_entropy), by lowering the syntax tree straight to the layer view.
 */
final class Layers {
    private Layers() {}

    /** Loss heads: softmax + cross-entropy (issue 5's network), or sigmoid + sum of squares. */
    enum Head { SOFTMAX_CE, SIGMOID_SQUARES }

    /** A network {@code widths[0]}-...-{@code widths[last]} with relu hidden layers; values broadcast (set later). */
    static String text(Head head, int... widths) {
        StringBuilder s = new StringBuilder("input x[" + widths[0] + "] = 0.5\n");
        int last = widths.length - 1;
        s.append("target y[").append(widths[last]).append("] = 0.1\n");
        for (int l = 1; l <= last; l++) {
            s.append("weight W").append(l).append('[').append(widths[l]).append(',').append(widths[l - 1]).append("] = 0.01\n");
            s.append("bias b").append(l).append('[').append(widths[l]).append("] = 0.01\n");
        }
        String previous = "x";
        for (int l = 1; l < last; l++) {
            s.append('h').append(l).append(" = relu(W").append(l).append(" @ ").append(previous).append(" + b").append(l).append(")\n");
            previous = "h" + l;
        }
        String top = "W" + last + " @ " + previous + " + b" + last;
        if (head == Head.SOFTMAX_CE) {
            s.append("loss L = cross_entropy(softmax(").append(top).append("), y)\n"); // the stable, fused form
        } else {
            s.append("o = sigmoid(").append(top).append(")\nloss L = sum(0.5*(y - o)^2)\n");
        }
        return s.toString();
    }

    /**
     * Parse, analyse and compile as {@code eval} does; with {@code analyse} false (a file the
     * analyser does not accept yet), parse and lower the syntax tree straight to the layer view.
     */
    static CompiledGradient compile(String name, String text, boolean analyse) throws Exception {
        Source source = new Source(name, text);
        Ast.File ast = SourceParser.parseFile(source);
        if (!analyse) {
            LayerProgram p = LayerLowering.lower(ast).orElseThrow();
            return LayerCompiler.compile(p, null).orElseThrow();
        }
        Network network = Analyzer.analyze(source, ast);
        return LayerCompiler.compile(network, ast);
    }

    /** Whether the analyser accepts the file (it will once softmax and cross_entropy are merged). */
    static boolean analyserAccepts(String text) {
        try {
            Analyzer.analyze(new Source("probe.nn", text));
            return true;
        } catch (chainrule.diag.DiagnosticException e) {
            return false;
        }
    }
}
